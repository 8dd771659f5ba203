import { Box, Text } from 'ink';
import { useEffect, useRef, useState } from 'react';
import type { ImportClient, ImportPlan, ImportResult } from '../../engine/api.js';
import { Frame } from '../components/Frame.js';
import { useServices } from '../context/services-context.js';
import { useNow } from '../hooks/use-now.js';
import { useScreenInput } from '../hooks/use-screen-input.js';
import { clampScroll } from '../view-model/visible-window.js';

/**
 * Take over another client's certificates: pick certbot, acme.sh or lego (its default directory), see what was
 * found and what certdeck will manage, with what does not carry over and why, then confirm with y. The engine
 * reads the other client's files read-only; nothing is written before the confirmation.
 *
 *   Import · certbot                                           14:03:07
 *   /etc/letsencrypt: will import 2, already managed 1, cannot import 1
 *   ✚ example.com  will import  example.com, www.example.com  serial 04A1…
 *       not carried over: pre_hook = systemctl stop nginx: certdeck has no hook before an order; …
 *   = shop.example  already managed as shop.example (serial 03B2…)
 *   ✖ wild.example  cannot import: …
 */
const CLIENTS: Array<{ client: ImportClient; where: string }> = [
  { client: 'certbot', where: '/etc/letsencrypt (certdeck import certbot --config-dir DIR for another)' },
  { client: 'acme.sh', where: '~/.acme.sh (certdeck import acme.sh --home DIR for another)' },
  { client: 'lego', where: './.lego (certdeck import lego --path DIR for another)' },
];

type Phase =
  | { kind: 'choose' }
  | { kind: 'reading'; client: ImportClient }
  | { kind: 'preview'; plan: ImportPlan }
  | { kind: 'applying'; plan: ImportPlan }
  | { kind: 'done'; result: ImportResult }
  | { kind: 'failed'; client: ImportClient; message: string };

interface Line {
  text: string;
  tone?: 'ok' | 'warn' | 'bad' | 'info';
}

const MARK = { import: '✚', 'already-managed': '=', 'cannot-import': '✖' } as const;
const TONE = { import: 'ok', 'already-managed': 'info', 'cannot-import': 'bad' } as const;
const WORDS = { import: 'will import', 'already-managed': 'already managed', 'cannot-import': 'cannot import' } as const;

export function planLines(plan: ImportPlan): Line[] {
  const lines: Line[] = [];
  if (!plan.certificates.length && !plan.accounts.length) lines.push({ text: 'Nothing found to import here.', tone: 'warn' });
  for (const c of plan.certificates) {
    const serial = c.serial ? `  serial ${c.serial}` : '';
    lines.push({ text: `${MARK[c.action]} ${c.certName}  ${WORDS[c.action]}${c.reason ? `: ${c.reason}` : ''}  ${c.domains.join(', ')}${serial}`, tone: TONE[c.action] });
    if (c.action !== 'import') continue;
    if (c.request) lines.push({ text: `    CA ${c.request.ca} · key ${c.request.keyType} · ${c.request.challenge.method}${c.request.account ? ` · account ${c.request.account}` : ''}` });
    for (const t of c.deployTargets) lines.push({ text: `    deploy: ${t.kind === 'command' ? `run ${t.argv.join(' ')}` : `files -> ${Object.values(t.paths).join(', ')}`}` });
    for (const n of c.notCarried) lines.push({ text: `    not carried over: ${n.what}: ${n.reason}`, tone: 'warn' });
  }
  for (const a of plan.accounts) {
    lines.push({ text: `${MARK[a.action]} account ${a.accountId ?? a.sourceId}  ${WORDS[a.action]}${a.reason ? `: ${a.reason}` : ''}${a.accountUrl ? `  ${a.accountUrl}` : ''}`, tone: TONE[a.action] });
  }
  for (const s of plan.skipped) lines.push({ text: `  skipped ${s.what}: ${s.reason}`, tone: 'warn' });
  return lines;
}

export function ImportScreen() {
  const { engine, clock, theme } = useServices();
  const now = useNow(clock);
  const [phase, setPhase] = useState<Phase>({ kind: 'choose' });
  const [cursor, setCursor] = useState(0);
  // Keys can arrive faster than renders (a paste, tmux): each one moves from where the last one left the cursor.
  const cursorNow = useRef(0);
  const [offset, setOffset] = useState(0);
  const [height, setHeight] = useState(10);

  useEffect(() => {
    if (phase.kind !== 'reading') return;
    let live = true;
    engine.planImport(phase.client).then(
      (plan) => live && setPhase({ kind: 'preview', plan }),
      (err: unknown) => live && setPhase({ kind: 'failed', client: phase.client, message: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [engine, phase]);

  useEffect(() => {
    if (phase.kind !== 'applying') return;
    // No cancel once confirmed: the engine writes all or nothing, and leaving the screen must not undo an import.
    engine.applyImport(phase.plan).then(
      (result) => setPhase({ kind: 'done', result }),
      (err: unknown) => setPhase({ kind: 'failed', client: phase.plan.client, message: err instanceof Error ? err.message : String(err) }),
    );
  }, [engine, phase]);

  const lines = phase.kind === 'preview' || phase.kind === 'applying' ? planLines(phase.plan) : phase.kind === 'done' ? planLines(phase.result.plan) : [];

  useScreenInput((input, key) => {
    if (phase.kind === 'choose') {
      const move = (delta: number) => {
        cursorNow.current = Math.min(CLIENTS.length - 1, Math.max(0, cursorNow.current + delta));
        setCursor(cursorNow.current);
      };
      if (key.downArrow || input === 'j') move(1);
      else if (key.upArrow || input === 'k') move(-1);
      else if (key.return) setPhase({ kind: 'reading', client: CLIENTS[cursorNow.current]!.client });
      return;
    }
    if (key.downArrow || input === 'j') setOffset((o) => clampScroll(o + 1, lines.length, height));
    else if (key.upArrow || input === 'k') setOffset((o) => clampScroll(o - 1, lines.length, height));
    else if (phase.kind === 'preview' && input === 'y' && phase.plan.summary.import > 0) setPhase({ kind: 'applying', plan: phase.plan });
    else if ((phase.kind === 'preview' || phase.kind === 'failed' || phase.kind === 'done') && input === 'c') {
      setOffset(0);
      setPhase({ kind: 'choose' });
    }
  });

  const title = phase.kind === 'choose' ? 'Import' : `Import · ${phase.kind === 'failed' || phase.kind === 'reading' ? phase.client : phase.kind === 'done' ? phase.result.plan.client : phase.plan.client}`;
  const status = { choose: 'choose a client', reading: 'reading', preview: 'preview', applying: 'importing', done: 'done', failed: 'failed' }[phase.kind];
  const hints =
    phase.kind === 'choose'
      ? [{ key: '↑↓', label: 'choose' }, { key: 'enter', label: 'preview' }, { key: 'esc', label: 'back' }]
      : [
          { key: '↑↓', label: 'scroll' },
          { key: 'y', label: 'import', enabled: phase.kind === 'preview' && phase.plan.summary.import > 0 },
          { key: 'c', label: 'another client', enabled: phase.kind !== 'applying' && phase.kind !== 'reading' },
          { key: 'esc', label: 'back' },
        ];
  return (
    <Frame title={title} status={status} now={now} hints={hints}>
      {(bodyRows) => {
        const h = Math.max(1, bodyRows - 2);
        if (h !== height) queueMicrotask(() => setHeight(h));
        if (phase.kind === 'choose') {
          return (
            <Box flexDirection="column">
              <Text>Take over the certificates and accounts of another ACME client (its files are only read):</Text>
              {CLIENTS.map((c, i) => (
                <Text key={c.client} {...(i === cursor ? { inverse: true } : {})} wrap="truncate-end">
                  {`${i === cursor ? '›' : ' '} ${c.client.padEnd(8)} ${c.where}`}
                </Text>
              ))}
            </Box>
          );
        }
        if (phase.kind === 'reading') return <Text>Reading {phase.client}'s files…</Text>;
        if (phase.kind === 'failed') return <Text {...theme.tone('bad')} wrap="wrap">{`Import from ${phase.client} failed: ${phase.message}`}</Text>;
        const plan = phase.kind === 'done' ? phase.result.plan : phase.plan;
        const { import: n, alreadyManaged, cannotImport } = plan.summary;
        const head =
          phase.kind === 'done'
            ? `Imported ${phase.result.imported.certificates.length} certificate(s) and ${phase.result.imported.accounts.length} account(s) from ${plan.dir}; disable ${plan.client}'s own renewal job.`
            : phase.kind === 'applying'
              ? `Importing from ${plan.dir}…`
              : `${plan.dir}: will import ${n}, already managed ${alreadyManaged}, cannot import ${cannotImport}${n ? ' · y to import' : ''}`;
        const start = clampScroll(offset, lines.length, h);
        return (
          <Box flexDirection="column">
            <Text {...theme.tone(phase.kind === 'done' ? 'ok' : 'info')} wrap="truncate-end">
              {head}
            </Text>
            {lines.slice(start, start + h).map((l, i) => (
              <Text key={start + i} {...(l.tone ? theme.tone(l.tone) : {})} wrap="truncate-end">
                {l.text}
              </Text>
            ))}
          </Box>
        );
      }}
    </Frame>
  );
}
