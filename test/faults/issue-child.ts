/**
 * A second certdeck process for the concurrency tests: issues one request against the sandbox in
 * `CERTDECK_HOME`-style home `argv[2]` and prints NDJSON to stdout: `{"event": ...}` for each engine event (HTTP
 * exchanges left out), then `{"outcome": ...}`. Exit code from the outcome, as the headless command would.
 *
 *   node --import tsx test/faults/issue-child.ts <home> '<IssueRequest JSON>'
 */
import type { IssueRequest } from '../../src/engine/api.js';
import { systemClock } from '../../src/engine/core/clock.js';
import { exitCodeFor } from '../../src/engine/core/errors.js';
import { Engine } from '../../src/engine/engine.js';
import { pathsUnder } from '../../src/engine/store/paths.js';

const [home, requestJson] = process.argv.slice(2);
if (!home || !requestJson) {
  process.stderr.write('usage: issue-child.ts <home> <request-json>\n');
  process.exit(2);
}
const request = JSON.parse(requestJson) as IssueRequest;
const engine = new Engine({ paths: pathsUnder(home), clock: systemClock, userAgent: 'certdeck-test-child', random: () => 0.5 });
engine.onEvent((event) => {
  if (event.type !== 'http:exchange') process.stdout.write(`${JSON.stringify({ event })}\n`);
});
const stop = (): void => void engine.close('the test stopped this process');
process.once('SIGTERM', stop);
const outcome = await engine.issue(request);
process.stdout.write(`${JSON.stringify({ outcome })}\n`);
await engine.close();
process.exitCode = outcome.ok ? 0 : exitCodeFor(outcome.error?.kind ?? 'bug');
