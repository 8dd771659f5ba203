/**
 * The guided setup's screenshots for the README, taken for real: `certdeck` on an empty home in tmux (100x30,
 * xterm-256color) against the local sandbox, driven by keys only, up to an issued and deployed certificate.
 *
 *   npm run build && node_modules/.bin/node --import tsx bench/capture-setup-screenshots.ts [--out assets/screenshots]
 *
 * Writes setup-names, setup-preflight, setup-terms, setup-review and setup-done as text (and PNG when ImageMagick
 * is installed). Everything it starts (sandbox, tmux server) is ended before it exits.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CLI } from '../test/support/cli.js';
import { pebbleAvailable, startTestSandbox } from '../test/support/sandbox-harness.js';
import { TmuxTerminal, tmuxAvailable } from '../test/e2e/support/tmux-terminal.js';
import { imageMagickAvailable, screenToPng } from './terminal-image.js';

const COLUMNS = 100;
const ROWS = 30;
const { values } = parseArgs({ options: { out: { type: 'string', default: 'assets/screenshots' } } });
const outDir = path.resolve(values.out);

function tidy(text: string): string {
  return `${text.split('\n').map((l) => l.trimEnd()).join('\n').trimEnd()}\n`;
}

async function save(term: TmuxTerminal, name: string, png: boolean): Promise<void> {
  await writeFile(path.join(outDir, `${name}.txt`), tidy(await term.capture()));
  if (png) await screenToPng(await term.captureWithColour(), path.join(outDir, `${name}.png`), { columns: COLUMNS, rows: ROWS });
  console.log(`  ${name}.txt${png ? ` + ${name}.png` : ''}`);
}

async function main(): Promise<void> {
  if (!tmuxAvailable()) throw new Error('tmux is not installed');
  if (!pebbleAvailable()) throw new Error('pebble and pebble-challtestsrv are not installed');
  const png = imageMagickAvailable();
  await mkdir(outDir, { recursive: true });
  const sandbox = await startTestSandbox();
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'certdeck-setup-shots-'));
  const deployDir = path.join(scratch, 'etc-ssl-shop');
  await mkdir(deployDir);
  const term = await TmuxTerminal.start([process.execPath, CLI], { env: { CERTDECK_HOME: sandbox.home }, columns: COLUMNS, rows: ROWS });
  try {
    await term.waitForText('Setup · 1/11 Names');
    await term.type('shop.example.test www.shop.example.test bücher.example.test');
    await term.waitForText('✔ 3 names');
    await save(term, 'setup-names', png);
    await term.sendKeys('Enter');
    await term.waitForText('› Local sandbox (Pebble)');
    await term.sendKeys('Enter');
    await term.waitForText('No blocking problem');
    await save(term, 'setup-preflight', png);
    await term.sendKeys('Enter');
    await term.waitForText('› Create a new account');
    await term.sendKeys('Enter');
    await term.waitForText('› E-mail');
    await term.type('ops@example.test');
    await term.waitForText('› E-mail        ops@example.test');
    await term.sendKeys('Enter');
    await term.waitForText('press a to agree');
    await term.sendKeys('a');
    await term.waitForText('Agreed.');
    await save(term, 'setup-terms', png);
    await term.sendKeys('Enter');
    await term.waitForText('Preselected from the preflight');
    await term.sendKeys('Enter', 'Enter');
    await term.waitForText('› Key type');
    await term.sendKeys('Enter');
    await term.waitForText('› Deploy');
    await term.sendKeys('Down', 'Enter');
    await term.waitForText('› Directory');
    await term.type(deployDir);
    await term.waitForText(`› Directory     ${deployDir}`);
    await term.sendKeys('Enter');
    await term.waitForText('files-1: copy the files to');
    await term.sendKeys('Up', 'Enter');
    await term.waitForText('› Schedule');
    await term.sendKeys('Enter');
    await term.waitForText('Press enter to run it');
    await save(term, 'setup-review', png);
    await term.sendKeys('Enter');
    await term.waitForText('Setup · 11/11 Done', 60_000);
    await save(term, 'setup-done', png);
  } finally {
    await term.kill();
    await sandbox.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
