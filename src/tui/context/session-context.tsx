import { useApp } from 'ink';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { EXIT_CODES } from '../../engine/core/errors.js';
import type { Snapshot } from '../../engine/state.js';
import { useSnapshot } from '../hooks/use-snapshot.js';
import { followedOrderIds } from '../view-model/dashboard-items.js';
import { isRunning } from '../view-model/order-progress.js';
import type { TuiMode } from '../types.js';
import { useNavigation } from './navigation-context.js';
import { useServices } from './services-context.js';

/**
 * The run as a whole: which orders this UI is about (all of them, or the ones an `issue` command follows), how it
 * ends (quit, quit while orders run, the issue command's result) and with which exit code.
 */
export interface Session {
  mode: TuiMode;
  /** Orders in scope: undefined means all (dashboard). */
  followed: ReadonlySet<string> | undefined;
  /** Running orders in scope; quitting while there are any asks what to do with them. */
  runningIds: string[];
  /** Exit code of the finished `issue` command, once it is known. */
  finalCode: number | undefined;
  requestQuit(exitCode: number): void;
  /** Cancels the running orders in scope, then exits. */
  quitCancelling(exitCode: number): void;
  /** Stops the engine, leaving journals so the next run resumes the orders, then exits. */
  quitLeaving(exitCode: number): void;
  /** Ends the UI now with this code (idempotent). */
  finish(exitCode: number): void;
}

/** How long the UI waits for the engine to stop, or for a cancelled issue run to report, before exiting anyway. */
export const SHUTDOWN_WAIT_MS = 10_000;

const SessionContext = createContext<Session | undefined>(undefined);

function runningInScope(snapshot: Snapshot, followed: ReadonlySet<string> | undefined): string[] {
  return snapshot.orderIds.filter((id) => {
    const o = snapshot.orders[id];
    return o !== undefined && isRunning(o) && (followed === undefined || followed.has(id));
  });
}

export function SessionProvider({ mode, onExit, children }: { mode: TuiMode; onExit?: (code: number) => void; children: ReactNode }) {
  const { engine, clock } = useServices();
  const { dispatch } = useNavigation();
  const { exit } = useApp();
  const snapshot = useSnapshot(engine);
  const [finishedAtStart] = useState(() => {
    const s = engine.getSnapshot();
    return new Set(s.orderIds.filter((id) => {
      const o = s.orders[id];
      return o !== undefined && !isRunning(o);
    }));
  });
  const [finalCode, setFinalCode] = useState<number | undefined>(undefined);
  const finished = useRef(false);

  const given = mode.kind === 'issue' ? mode.orderIds : undefined;
  const followed = useMemo(
    () => (mode.kind === 'issue' ? followedOrderIds(snapshot, given, finishedAtStart) : undefined),
    [mode.kind, snapshot, given, finishedAtStart],
  );
  const runningIds = useMemo(() => runningInScope(snapshot, followed), [snapshot, followed]);

  const finish = useCallback(
    (code: number) => {
      if (finished.current) return;
      finished.current = true;
      onExit?.(code);
      exit(code);
    },
    [exit, onExit],
  );

  useEffect(() => {
    if (mode.kind !== 'issue') return;
    let live = true;
    mode.done.then(
      (code) => live && setFinalCode(code),
      () => live && setFinalCode(EXIT_CODES.failed),
    );
    return () => {
      live = false;
    };
  }, [mode]);

  // Aborts any shutdown wait still pending when the UI goes away (SIGTERM, the summary finishing first), so a real
  // clock's timer never keeps the process alive.
  const [lifetime] = useState(() => new AbortController());
  useEffect(() => () => lifetime.abort(), [lifetime]);

  /** Finishes with `code` once `work` settles, or after SHUTDOWN_WAIT_MS at most. */
  const finishAfter = useCallback(
    (work: Promise<unknown> | undefined, code: number) => {
      const stop = new AbortController();
      const signal = AbortSignal.any([stop.signal, lifetime.signal]);
      const bound = clock.sleep(SHUTDOWN_WAIT_MS, signal).then(
        () => true,
        () => false,
      );
      const settled = work ? work.then(() => true, () => true) : new Promise<boolean>(() => undefined);
      void Promise.race([settled, bound]).then((go) => {
        stop.abort();
        if (go) finish(code);
      });
    },
    [clock, finish, lifetime],
  );

  const session = useMemo<Session>(() => {
    const current = () => runningInScope(engine.getSnapshot(), followed);
    return {
      mode,
      followed,
      runningIds,
      finalCode,
      finish,
      requestQuit(exitCode) {
        if (current().length > 0) dispatch({ type: 'overlay', overlay: { kind: 'quit', exitCode } });
        else if (mode.kind === 'issue' && finalCode === undefined) {
          // No order runs, but the command is not done (saving, deploying): let it finish and show its summary.
          dispatch({ type: 'leaving', message: 'Letting certdeck issue finish…' });
          finishAfter(undefined, EXIT_CODES.cancelled);
        } else finish(exitCode);
      },
      quitCancelling(exitCode) {
        const ids = current();
        for (const id of ids) engine.cancel(id, 'cancelled by the operator on quit');
        if (mode.kind === 'issue') {
          // The issue command reports the cancelled orders itself; its summary is the last thing on screen.
          // Only the bound finishes here: when `done` settles, the summary screen finishes with its code.
          dispatch({ type: 'leaving', message: `Cancelling ${ids.length} order${ids.length === 1 ? '' : 's'}…` });
          finishAfter(undefined, EXIT_CODES.cancelled);
        } else {
          finish(exitCode);
        }
      },
      quitLeaving(exitCode) {
        dispatch({ type: 'leaving', message: 'Stopping; running orders resume from the journal on the next run…' });
        finishAfter(engine.close(), exitCode);
      },
    };
  }, [mode, followed, runningIds, finalCode, finish, engine, dispatch, finishAfter]);

  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() must be used inside <SessionProvider> (see src/tui/App.tsx)');
  return session;
}
