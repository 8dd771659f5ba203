/**
 * The README's screenshots, taken for real: certdeck in tmux (100x30, xterm-256color) against the local sandbox
 * with an order that hangs in "processing".
 *
 *   npm run build && node_modules/.bin/node --import tsx bench/capture-screenshots.ts [--out assets/screenshots]
 *
 * Writes, as plain text (and as PNG when ImageMagick is installed: apt-get install imagemagick):
 *   hung-order       `certdeck issue` with the order flagged HUNG and what to do about it
 *   switch-ca        s: the CA picker (the running sandbox's other CA first)
 *   switched-issued  Enter: re-issued at sandbox-b, the summary left on screen
 *   issue-form       the dashboard's n form, filled in
 *   dashboard        the dashboard with certificates and the order from that form, hung
 *   dns-propagation  a wildcard by dns-01 waiting for its records to propagate (one resolver lags), then cancelled
 *   doctor           D on a certificate of the dashboard: every check of the doctor, run live, with its findings
 *
 * `--only dns-propagation` (comma-separated names) captures just those.
 *
 * Needs tmux, pebble and the built CLI. Everything it starts (sandbox, tmux servers) is ended before it exits.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CLI, runCli } from '../test/support/cli.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../test/support/sandbox-harness.js';
import { TmuxTerminal, tmuxAvailable } from '../test/e2e/support/tmux-terminal.js';
import { startEmptyDns } from '../test/support/empty-dns.js';
import { imageMagickAvailable, screenToPng } from './terminal-image.js';

const COLUMNS = 100;
const ROWS = 30;

const { values } = parseArgs({ options: { out: { type: 'string', default: 'assets/screenshots' }, only: { type: 'string' } } });
const only = values.only?.split(',').map((s) => s.trim());
const wanted = (name: string): boolean => !only || only.includes(name);
const outDir = path.resolve(values.out);

/** The screen without the line the test wrapper prints after the program exits. */
function withoutWrapper(screen: string): string {
  return screen
    .split('\n')
    .filter((l) => !/^EXIT=\d+$/.test(l.replace(/\u001B\[[\d;]*m/g, '')))
    .join('\n');
}

/** Trailing blanks of each line and trailing empty lines go: the text files are for reading. */
function tidy(text: string): string {
  return `${text.split('\n').map((l) => l.trimEnd()).join('\n').trimEnd()}\n`;
}

async function save(term: TmuxTerminal, name: string, png: boolean): Promise<void> {
  const text = withoutWrapper(await term.capture());
  await writeFile(path.join(outDir, `${name}.txt`), tidy(text));
  if (png) await screenToPng(withoutWrapper(await term.captureWithColour()), path.join(outDir, `${name}.png`), { columns: COLUMNS, rows: ROWS });
  console.log(`  ${name}.txt${png ? ` + ${name}.png` : ''}`);
}

/** Certificates for the dashboard to show, issued headless at sandbox-b (the hung "sandbox" would never finish). */
async function issueCertificates(sandbox: TestSandbox): Promise<void> {
  for (const names of [['shop.example.test', 'www.shop.example.test'], ['api.example.test']]) {
    const result = await runCli(['issue', ...names, '--ca', 'sandbox-b', '--agree-tos'], { CERTDECK_HOME: sandbox.home }, { timeoutMs: 90_000 });
    if (result.code !== 0) throw new Error(`issuing ${names.join(' ')} failed (${result.code}): ${result.stderr}`);
  }
}

/** `certdeck issue` hangs, is flagged, and is switched to sandbox-b with two keys. */
async function hungSwitchIssued(sandbox: TestSandbox, png: boolean): Promise<void> {
  const term = await TmuxTerminal.start([process.execPath, CLI, 'issue', 'hang.example.test', 'www.hang.example.test', '--ca', 'sandbox', '--agree-tos'], {
    env: { CERTDECK_HOME: sandbox.home },
    columns: COLUMNS,
    rows: ROWS,
  });
  try {
    await term.waitForText('⚠ HUNG: processing');
    await save(term, 'hung-order', png);
    await term.sendKeys('s');
    await term.waitFor((s) => /^› Local sandbox B/m.test(s), 'the CA picker with sandbox-b first');
    await save(term, 'switch-ca', png);
    await term.sendKeys('Enter');
    const code = await term.exitCode(60_000);
    if (code !== 0) throw new Error(`certdeck issue exited ${code}:\n${await term.capture()}`);
    await save(term, 'switched-issued', png);
  } finally {
    await term.kill();
  }
}

/** The dashboard: a new order from the n form, which hangs; then it is cancelled and the dashboard quits. */
async function dashboardWithHungOrder(sandbox: TestSandbox, png: boolean): Promise<void> {
  const term = await TmuxTerminal.start([process.execPath, CLI], { env: { CERTDECK_HOME: sandbox.home }, columns: COLUMNS, rows: ROWS });
  try {
    await term.waitForText('n new order');
    await term.sendKeys('n');
    await term.waitForText('New certificate');
    await term.type('status.example.test www.status.example.test');
    await term.waitForText('✔ 2 names');
    // Enter moves through the fields (names, CA, key type, challenge) to the button.
    for (let i = 0; i < 4; i++) await term.sendKeys('Enter');
    await term.waitForText('› [ Request certificate ]');
    await save(term, 'issue-form', png);
    await term.sendKeys('Enter');
    await term.waitForText('Orders');
    await term.sendKeys('G'); // select the order (the last row)
    await term.waitFor((s) => /^› ⚠ status\.example\.test/m.test(s) && s.includes('HUNG processing'), 'the new order, selected and flagged HUNG');
    await save(term, 'dashboard', png);
    await term.sendKeys('c');
    await term.waitForText('y cancel it');
    await term.sendKeys('y');
    await term.waitForText(/⊘ status\.example\.test/);
    await term.sendKeys('q');
    await term.exitCode();
  } finally {
    await term.kill();
  }
}

/** `certdeck issue` of a wildcard by dns-01 with the sandbox hook, held in the propagation wait by a resolver that lags. */
async function dnsPropagation(sandbox: TestSandbox, png: boolean): Promise<void> {
  const lagging = await startEmptyDns();
  const hook = path.resolve('assets/hooks/challtestsrv-dns-hook');
  const args = ['issue', '*.shop.example.test', 'shop.example.test', '--name', 'wild-shop', '--ca', 'sandbox', '--agree-tos', '--challenge', 'dns-01', '--dns-hook', hook];
  const resolvers = ['--dns-resolver', `127.0.0.1:${sandbox.state.dnsPort}`, '--dns-resolver', `127.0.0.1:${lagging.port}`];
  const term = await TmuxTerminal.start([process.execPath, CLI, ...args, ...resolvers], { env: { CERTDECK_HOME: sandbox.home }, columns: COLUMNS, rows: ROWS });
  try {
    await term.waitFor((s) => /propagation 1\/2 servers/.test(s) && /check [3-9]/.test(s), 'the records published, one of two resolvers lagging');
    await save(term, 'dns-propagation', png);
    await term.sendKeys('c');
    await term.waitForText('y cancel it');
    await term.sendKeys('y');
    await term.exitCode(30_000);
  } finally {
    await term.kill();
    lagging.stop();
  }
}

/** The doctor screen: D on the dashboard's first certificate, left until every check has its result. */
async function doctor(sandbox: TestSandbox, png: boolean): Promise<void> {
  const term = await TmuxTerminal.start([process.execPath, CLI], { env: { CERTDECK_HOME: sandbox.home }, columns: COLUMNS, rows: ROWS });
  try {
    await term.waitForText('n new order');
    await term.sendKeys('D');
    await term.waitForText('Doctor ·');
    await term.waitFor((s) => /Doctor ·.*(done|problems found)/.test(s), 'every check finished', 60_000);
    await save(term, 'doctor', png);
    await term.sendKeys('Escape');
    await term.waitForText('n new order');
    await term.sendKeys('q');
    await term.exitCode();
  } finally {
    await term.kill();
  }
}

async function main(): Promise<void> {
  if (!tmuxAvailable()) throw new Error('tmux is not installed');
  if (!pebbleAvailable()) throw new Error('pebble and pebble-challtestsrv are not installed');
  const png = imageMagickAvailable();
  if (!png) console.log('ImageMagick (convert with DejaVu Sans Mono) is not installed: text only.');
  await mkdir(outDir, { recursive: true });
  const sandbox = await startTestSandbox({ fault: 'hang-processing' });
  try {
    console.log(`sandbox up (${sandbox.home}); issuing two certificates at sandbox-b`);
    if (wanted('dashboard') || wanted('doctor')) await issueCertificates(sandbox);
    console.log(`screenshots in ${outDir}:`);
    if (wanted('hung-order') || wanted('switch-ca') || wanted('switched-issued')) await hungSwitchIssued(sandbox, png);
    if (wanted('issue-form') || wanted('dashboard')) await dashboardWithHungOrder(sandbox, png);
    if (wanted('dns-propagation')) await dnsPropagation(sandbox, png);
    if (wanted('doctor')) await doctor(sandbox, png);
  } finally {
    await sandbox.stop();
  }
}

await main();
