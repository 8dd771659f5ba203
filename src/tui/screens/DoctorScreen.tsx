import { Box, Text } from 'ink';
import { useEffect, useRef, useState } from 'react';
import type { DiagnoseReport } from '../../engine/api.js';
import { Frame } from '../components/Frame.js';
import { useServices } from '../context/services-context.js';
import { useNow } from '../hooks/use-now.js';
import { useScreenInput } from '../hooks/use-screen-input.js';
import { doctorLines, doctorSummary, emptyDoctorState, foldProgress, type DoctorState } from '../view-model/doctor-lines.js';
import { clampScroll, scrollTarget, scrollTo } from '../view-model/visible-window.js';

/**
 * The doctor, live: every check of the engine's diagnosis appears as running, then with its result; findings show
 * what was seen and what to do, wrapped to the width. Opened from a certificate (or an order) for that certificate,
 * or for everything. r runs it again, o switches the network tiers off and on.
 *
 *   Doctor · a.test                                            14:03:07
 *   9 checks done, 1 running · 1 error · 0 warnings
 *   Certificate a.test · offline
 *     ✔ files present and private
 *     ✖ private key matches the certificate
 *         ERROR cert.key-mismatch
 *         seen  privkey.pem in ... is not the private key of cert.pem ...
 *         do    Restore the matching key from a backup, or re-issue: ...
 */
export function DoctorScreen({ certName }: { certName?: string }) {
  const { engine, clock, theme } = useServices();
  const now = useNow(clock);
  const [run, setRun] = useState({ id: 0, offline: false });
  const [state, setState] = useState<DoctorState>(emptyDoctorState);
  const [report, setReport] = useState<DiagnoseReport | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const [view, setView] = useState({ offset: 0, follow: true });
  const size = useRef({ lines: 0, height: 10 });

  // One diagnosis per run id; leaving the screen (or starting another run) aborts the one in flight.
  useEffect(() => {
    const abort = new AbortController();
    setState(emptyDoctorState);
    setReport(undefined);
    setFailure(undefined);
    setView({ offset: 0, follow: true });
    engine
      .diagnose({
        ...(certName ? { certNames: [certName] } : {}),
        ...(run.offline ? { offline: true } : {}),
        signal: abort.signal,
        onProgress: (p) => {
          if (!abort.signal.aborted) setState((s) => foldProgress(s, p));
        },
      })
      .then(
        (r) => !abort.signal.aborted && setReport(r),
        (err: unknown) => !abort.signal.aborted && setFailure(err instanceof Error ? err.message : String(err)),
      );
    return () => abort.abort('left the doctor screen');
  }, [engine, certName, run]);

  useScreenInput((input, key) => {
    const to = scrollTarget(input, key);
    if (to) setView((v) => scrollTo(v, to, size.current.lines, size.current.height));
    else if (input === 'r') setRun((r) => ({ ...r, id: r.id + 1 }));
    else if (input === 'o') setRun((r) => ({ id: r.id + 1, offline: !r.offline }));
  });

  const finished = report !== undefined || failure !== undefined;
  const summary = doctorSummary(state, finished);
  const hints = [
    { key: '↑↓ j k', label: 'scroll' },
    { key: 'pgup pgdn', label: 'page' },
    { key: 'r', label: 'run again' },
    { key: 'o', label: run.offline ? 'network checks on' : 'offline only' },
    { key: 'esc', label: 'back' },
  ];
  return (
    <Frame title={`Doctor · ${certName ?? 'all certificates'}`} status={finished ? (report?.exitCode ? 'problems found' : 'done') : 'checking'} now={now} hints={hints}>
      {(bodyRows, bodyColumns) => {
        const lines = doctorLines(state, Math.max(20, bodyColumns - 1));
        size.current.lines = lines.length;
        const height = Math.max(1, bodyRows - 1);
        size.current.height = height;
        const start = view.follow ? Math.max(0, lines.length - height) : clampScroll(view.offset, lines.length, height);
        const shown = lines.slice(start, start + height);
        return (
          <Box flexDirection="column">
            <Text {...theme.tone(failure ? 'bad' : summary.tone)} wrap="truncate-end">
              {failure ? `The doctor stopped: ${failure}` : `${summary.text}${run.offline ? ' · offline' : ''}${lines.length > height ? ` · lines ${start + 1}–${start + shown.length} of ${lines.length}` : ''}`}
            </Text>
            {shown.map((line, i) => (
              <Text key={start + i} {...(line.tone === 'normal' ? {} : theme.tone(line.tone))} bold={line.heading === true} wrap="truncate-end">
                {line.text}
              </Text>
            ))}
          </Box>
        );
      }}
    </Frame>
  );
}
