import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import type { DeployRunView } from '../../engine/state.js';
import { DeployTargetHeader, DeployTargetRow } from '../components/DeployTargetRow.js';
import { Frame } from '../components/Frame.js';
import { SectionTitle } from '../components/SectionTitle.js';
import { useNavigation } from '../context/navigation-context.js';
import { useServices } from '../context/services-context.js';
import { useNow } from '../hooks/use-now.js';
import { useScreenInput } from '../hooks/use-screen-input.js';
import { useSnapshot } from '../hooks/use-snapshot.js';
import { deployRowLines, deployRows } from '../view-model/deploy-rows.js';
import { formatClockTime, formatElapsed } from '../../engine/core/duration.js';
import { errorText } from '../view-model/error-text.js';
import { visibleWindow } from '../view-model/visible-window.js';
import { useKeyState } from '../hooks/use-key-state.js';

const FAILED = new Set(['failed', 'timed-out']);
const BUSY = 'A deploy run is still going; wait for it to finish.';

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
 * One certificate's deploy targets with the latest run, live: each target with its own status, the domains it
 * checks, and the selected target's log. R re-runs only the targets that failed; the others keep their results.
 * a adds a target (its own form screen), x removes the selected one after a y/n prompt; both wait while a run goes.
 * c cancels a running deploy (asks first): the running hook's process tree is killed, the rest do not start.
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
  const [focus, focusRef, setFocus] = useKeyState(0);
  const [loadError, setLoadError] = useState<string>();
  const runId = snapshot.latestDeploy[certName];
  const run = runId === undefined ? undefined : snapshot.deploys[runId];
  const configured = snapshot.deployTargets[certName];
  const certificate = snapshot.certificates[certName];
  const targets = deployRows(configured, run);
  const index = Math.min(focus, Math.max(0, targets.length - 1));
  const selected = targets[index];
  const failedIds = targets.filter((t) => t.run && FAILED.has(t.run.status)).map((t) => t.id);
  const running = run !== undefined && run.outcome === undefined;

  // The configured list comes into the snapshot from the engine; a broken targets file is said here, not thrown.
  useEffect(() => {
    engine.listDeployTargets(certName).then(
      () => setLoadError(undefined),
      (err: unknown) => setLoadError(errorText(err)),
    );
  }, [engine, certName]);

  const startDeploy = (only?: string[]) => {
    void engine.deploy(certName, only ? { only } : undefined).catch(() => undefined);
    dispatch({
      type: 'flash',
      flash: { text: only ? `Re-running ${only.length} failed target${only.length === 1 ? '' : 's'} of ${certName}…` : `Deploying ${certName}…`, tone: 'info' },
    });
  };

  useScreenInput((input, key) => {
    const at = Math.min(focusRef.current, Math.max(0, targets.length - 1));
    if (key.downArrow || input === 'j') setFocus(Math.max(0, Math.min(targets.length - 1, at + 1)));
    else if (key.upArrow || input === 'k') setFocus(Math.max(0, at - 1));
    else if (input === 'R') {
      if (running) dispatch({ type: 'flash', flash: { text: BUSY, tone: 'warn' } });
      else if (failedIds.length === 0) dispatch({ type: 'flash', flash: { text: 'No failed targets to re-run.', tone: 'warn' } });
      else startDeploy(failedIds);
    } else if (input === 'D') {
      if (running) dispatch({ type: 'flash', flash: { text: BUSY, tone: 'warn' } });
      else startDeploy();
    } else if (input === 'a') {
      if (running) dispatch({ type: 'flash', flash: { text: BUSY, tone: 'warn' } });
      else dispatch({ type: 'open', route: { screen: 'deploy-add', certName } });
    } else if (input === 'c') {
      if (!running) dispatch({ type: 'flash', flash: { text: 'No deploy is running.', tone: 'warn' } });
      else dispatch({ type: 'overlay', overlay: { kind: 'confirm-cancel-deploy', certName } });
    } else if (input === 'x') {
      if (running) dispatch({ type: 'flash', flash: { text: BUSY, tone: 'warn' } });
      else {
        const target = targets[at];
        if (!target) dispatch({ type: 'flash', flash: { text: 'No target to remove.', tone: 'warn' } });
        else dispatch({ type: 'overlay', overlay: { kind: 'confirm-remove-target', certName, targetId: target.id, label: target.label } });
      }
    }
  });

  const hints = [
    { key: '↑↓', label: 'select target', enabled: targets.length > 1 },
    { key: 'R', label: `re-run failed (${failedIds.length})`, enabled: failedIds.length > 0 && !running },
    { key: 'D', label: 'deploy all', enabled: !running },
    { key: 'c', label: 'cancel deploy', enabled: running },
    { key: 'a', label: 'add target', enabled: !running },
    { key: 'x', label: 'remove target', enabled: !running && selected !== undefined },
    { key: 'esc', label: 'back' },
    { key: '?', label: 'help' },
  ];
  return (
    <Frame title={`Deploy · ${certName}`} {...(running ? { status: 'running' } : {})} now={now} hints={hints}>
      {(bodyRows) => {
        // Where the certificate's files are: what every target deploys from, and what a web server can point at.
        const files = certificate ? (
          <Text wrap="truncate-start">
            <Text {...theme.tone('muted')}>files </Text>
            {`${certificate.dir}/{cert,chain,fullchain,privkey}.pem`}
          </Text>
        ) : null;
        const problem = loadError ? (
          <Text {...theme.tone('bad')} wrap="truncate-end">
            {`Cannot read the deploy targets: ${loadError}`}
          </Text>
        ) : null;
        if (targets.length === 0) {
          return (
            <Box flexDirection="column">
              {files}
              {problem}
              <Text>{configured ? `${certName} has no deploy targets yet.` : `No deploy run for ${certName} yet.`}</Text>
              <Text {...theme.tone('muted')}>{configured ? 'a adds one: files, command, pfx or verify.' : 'D runs all of its deploy targets.'}</Text>
            </Box>
          );
        }
        // Targets get up to two thirds of the room; the selected target's log gets the rest.
        const heights = targets.map(deployRowLines);
        // The run summary, the column header and the log title (and the problem line, when there is one).
        const reserved = (problem ? 4 : 3) + (files ? 1 : 0);
        const window = visibleWindow(heights, index, Math.max(1, Math.floor(((bodyRows - reserved) * 2) / 3)));
        const usedByTargets = heights.slice(window.start, window.end).reduce((a, b) => a + b, 0);
        const logRoom = Math.max(0, bodyRows - reserved - usedByTargets);
        const log = selected?.run?.log ?? [];
        const logShown = log.slice(Math.max(0, log.length - logRoom));
        return (
          <Box flexDirection="column">
            {files}
            {problem}
            {run ? (
              <Text {...theme.tone(run.outcome === 'succeeded' ? 'ok' : run.outcome === undefined ? 'info' : 'warn')} wrap="truncate-end">
                {runSummary(run, now)}
              </Text>
            ) : (
              <Text wrap="truncate-end">
                {targets.some((t) => t.last)
                  ? `Not deployed in this session · ${targets.length} target${targets.length === 1 ? '' : 's'}, with their latest stored results`
                  : `Never deployed · ${targets.length} target${targets.length === 1 ? '' : 's'}`}
              </Text>
            )}
            <DeployTargetHeader />
            {targets.slice(window.start, window.end).map((t, i) => (
              <DeployTargetRow key={t.id} row={t} selected={window.start + i === index} now={now} />
            ))}
            {selected?.run ? (
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
