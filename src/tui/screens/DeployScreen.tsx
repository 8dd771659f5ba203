import { Box, Text } from 'ink';
import { useState } from 'react';
import type { DeployRunView } from '../../engine/state.js';
import { DeployTargetRow, deployTargetLines } from '../components/DeployTargetRow.js';
import { Frame } from '../components/Frame.js';
import { SectionTitle } from '../components/SectionTitle.js';
import { useNavigation } from '../context/navigation-context.js';
import { useServices } from '../context/services-context.js';
import { useNow } from '../hooks/use-now.js';
import { useScreenInput } from '../hooks/use-screen-input.js';
import { useSnapshot } from '../hooks/use-snapshot.js';
import { formatClockTime, formatElapsed } from '../view-model/duration.js';
import { visibleWindow } from '../view-model/visible-window.js';

const FAILED = new Set(['failed', 'timed-out']);

function runSummary(run: DeployRunView, now: number): string {
  const started = `run at ${formatClockTime(run.startedAt)}`;
  if (!run.outcome || !run.summary) {
    const done = run.targets.filter((t) => t.status !== 'waiting' && t.status !== 'running').length;
    return `${started} · running ${formatElapsed(now - run.startedAt)} · ${done}/${run.targets.length} targets done`;
  }
  const s = run.summary;
  return `${started} · ${run.outcome}: ${s.succeeded} succeeded, ${s.failed} failed, ${s.skipped} skipped`;
}

/**
 * The latest deploy run of one certificate, live: each target with its own status, the domains it checks, and the
 * selected target's log. R re-runs only the targets that failed; the others keep their results.
 *
 *   Deploy · example.com                                   14:03:07
 *   run at 14:02:11 · partial: 2 succeeded, 1 failed, 0 skipped
 *     ✔ files    /etc/ssl/example.com         succeeded 0s
 *   › ✖ command  reload nginx                 failed 1s · exit status 1
 *   Log · reload nginx (last 6 of 6)
 *     nginx: [emerg] cannot load certificate ...
 */
export function DeployScreen({ certName }: { certName: string }) {
  const { engine, clock, theme } = useServices();
  const snapshot = useSnapshot(engine);
  const now = useNow(clock);
  const { dispatch } = useNavigation();
  const [focus, setFocus] = useState(0);
  const runId = snapshot.latestDeploy[certName];
  const run = runId === undefined ? undefined : snapshot.deploys[runId];
  const targets = run?.targets ?? [];
  const index = Math.min(focus, Math.max(0, targets.length - 1));
  const selected = targets[index];
  const failedIds = targets.filter((t) => FAILED.has(t.status)).map((t) => t.id);
  const running = run !== undefined && run.outcome === undefined;

  const startDeploy = (only?: string[]) => {
    void engine.deploy(certName, only ? { only } : undefined).catch(() => undefined);
    dispatch({
      type: 'flash',
      flash: { text: only ? `Re-running ${only.length} failed target${only.length === 1 ? '' : 's'} of ${certName}…` : `Deploying ${certName}…`, tone: 'info' },
    });
  };

  useScreenInput((input, key) => {
    if (key.downArrow || input === 'j') setFocus((f) => Math.min(targets.length - 1, f + 1));
    else if (key.upArrow || input === 'k') setFocus((f) => Math.max(0, Math.min(f, targets.length - 1) - 1));
    else if (input === 'R') {
      if (running) dispatch({ type: 'flash', flash: { text: 'A deploy run is still going; wait for it to finish.', tone: 'warn' } });
      else if (failedIds.length === 0) dispatch({ type: 'flash', flash: { text: 'No failed targets to re-run.', tone: 'warn' } });
      else startDeploy(failedIds);
    } else if (input === 'D') {
      if (running) dispatch({ type: 'flash', flash: { text: 'A deploy run is still going; wait for it to finish.', tone: 'warn' } });
      else startDeploy();
    }
  });

  const hints = [
    { key: '↑↓', label: 'select target', enabled: targets.length > 1 },
    { key: 'R', label: `re-run failed (${failedIds.length})`, enabled: failedIds.length > 0 && !running },
    { key: 'D', label: 'deploy all', enabled: !running },
    { key: 'esc', label: 'back' },
    { key: '?', label: 'help' },
  ];
  return (
    <Frame title={`Deploy · ${certName}`} {...(running ? { status: 'running' } : {})} now={now} hints={hints}>
      {(bodyRows) => {
        if (!run) {
          return (
            <Box flexDirection="column">
              <Text>No deploy run for {certName} yet.</Text>
              <Text {...theme.tone('muted')}>D runs all of its deploy targets.</Text>
            </Box>
          );
        }
        // Targets get up to two thirds of the room; the selected target's log gets the rest.
        const heights = targets.map(deployTargetLines);
        const window = visibleWindow(heights, index, Math.max(1, Math.floor(((bodyRows - 2) * 2) / 3)));
        const usedByTargets = heights.slice(window.start, window.end).reduce((a, b) => a + b, 0);
        const logRoom = Math.max(0, bodyRows - 2 - usedByTargets);
        const log = selected?.log ?? [];
        const logShown = log.slice(Math.max(0, log.length - logRoom));
        return (
          <Box flexDirection="column">
            <Text {...theme.tone(run.outcome === 'succeeded' ? 'ok' : run.outcome === undefined ? 'info' : 'warn')} wrap="truncate-end">
              {runSummary(run, now)}
            </Text>
            {targets.slice(window.start, window.end).map((t, i) => (
              <DeployTargetRow key={t.id} target={t} selected={window.start + i === index} now={now} />
            ))}
            {selected ? (
              <SectionTitle title={`Log · ${selected.label}`} note={log.length ? `last ${logShown.length} of ${log.length}` : 'empty'} />
            ) : null}
            {logShown.map((line, i) => (
              <Text key={i} wrap="truncate-end">
                {`  ${line}`}
              </Text>
            ))}
          </Box>
        );
      }}
    </Frame>
  );
}
