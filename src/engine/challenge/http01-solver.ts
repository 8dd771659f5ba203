import type { ChallengeAttempt, ChallengeSolver, ChallengeTask, Http01Solver, SolverContext } from './solver.js';

/**
 * http-01 as a ChallengeSolver: the standalone server or the webroot (unchanged) present each token; cleanup
 * removes every token this order presented, whatever happened.
 */
export class Http01ChallengeSolver implements ChallengeSolver {
  readonly type = 'http-01' as const;

  constructor(private readonly http: Http01Solver) {}

  get description(): string {
    return this.http.description;
  }

  begin(ctx: SolverContext): ChallengeAttempt {
    const removals: Array<() => Promise<void>> = [];
    const http = this.http;
    const answered = http.answered?.bind(http);
    return {
      async prepare(tasks: ChallengeTask[]) {
        for (const task of tasks) {
          removals.push(await http.present(task.token, task.keyAuthorization));
          ctx.emit({ type: 'challenge:status', orderId: ctx.orderId, domain: task.domain, challengeType: 'http-01', status: 'ready' });
        }
      },
      ...(answered ? { answered: (task: ChallengeTask) => answered(task.token) } : {}),
      async cleanup() {
        await Promise.all(removals.splice(0).map((remove) => remove().catch(() => undefined)));
      },
    };
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
