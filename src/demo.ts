/**
 * `npm run demo`: the main job on a local sandbox CA. Starts the sandbox (two Pebbles + a mock DNS, all on
 * loopback) if it is not running, then issues a two-name certificate and two single-name certificates with real
 * HTTP-01 validation, and a wildcard by dns-01 through the sandbox's hook, and shows where the files are. Uses ./.certdeck-demo as the state home unless
 * CERTDECK_HOME is set, so it never touches a real installation.
 *
 * A sandbox the demo started is stopped when the demo ends (however it ends), so it never holds ports 14000...
 * against the next `certdeck sandbox start`; one that was already running is left as it was, and the demo says so.
 *   npm run demo -- --port-base 26000      other ports than the defaults
 *   npm run demo -- --keep-sandbox         leave the sandbox running afterwards (says how to stop it)
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runSandboxCommand } from './commands/sandbox.js';
import { sandboxStatus } from './sandbox/sandbox.js';
import { resolveStatePaths } from './engine/store/paths.js';
import { runIssueCommand } from './commands/issue.js';
import type { IssueCliOptions } from './commands/issue.cli.js';
import { sandboxDnsHookPath } from './sandbox/dns-hook.js';

const env = { ...process.env, CERTDECK_HOME: process.env.CERTDECK_HOME ?? path.resolve('.certdeck-demo') };
const io = { stdout: process.stdout, stderr: process.stderr, env };
const say = (text: string): void => void process.stdout.write(`\n== ${text}\n`);

const { values: args } = parseArgs({ options: { 'port-base': { type: 'string' }, 'keep-sandbox': { type: 'boolean' } } });
const sandboxDir = resolveStatePaths(env).sandboxDir;
const stopCommand = `CERTDECK_HOME=${env.CERTDECK_HOME} npx certdeck sandbox stop`;

say(`certdeck demo (state home: ${env.CERTDECK_HOME})`);
const wasRunning = (await sandboxStatus(sandboxDir))?.alive ?? false;
let code = await runSandboxCommand('start', args['port-base'] ? { portBase: args['port-base'] } : {}, io);
if (code !== 0) process.exit(code);
const stopOurs = !wasRunning && !args['keep-sandbox'];
// Ctrl+C during an issue cancels that issue (the command handles it) and the demo goes on to its end, where the
// sandbox is stopped: no signal handler of its own here, which would cut the cancelled order's clean-up short.
const stopSandboxOnce = (): Promise<unknown> => runSandboxCommand('stop', {}, { ...io, stdout: process.stderr });

const base: IssueCliOptions = { ca: 'sandbox', agreeTos: true, email: 'demo@certdeck.test', keyType: 'ec-p256', concurrency: '4', tui: true };
say('One certificate for two names (real HTTP-01 validation by Pebble)');
try {
  code = await runIssueCommand(['demo.certdeck.test', 'www.demo.certdeck.test'], base, io);
  if (code === 0) {
    say('One certificate per name, issued concurrently (--each)');
    code = await runIssueCommand(['api.certdeck.test', 'shop.certdeck.test'], { ...base, each: true, keyType: 'rsa-2048' }, io);
  }
} catch (err) {
  if (stopOurs) await stopSandboxOnce();
  throw err;
}
if (code === 0) {
  say('A wildcard and its base name by dns-01 (the hook publishes TXT records in the sandbox DNS; needs curl)');
  code = await runIssueCommand(['*.wild.certdeck.test', 'wild.certdeck.test'], { ...base, challenge: 'dns-01', dnsHook: sandboxDnsHookPath() }, io);
}
if (code === 0) {
  const live = path.join(env.CERTDECK_HOME, 'live');
  say('Done');
  process.stdout.write(
    `Certificates (certbot layout: cert.pem chain.pem fullchain.pem privkey.pem meta.json) are in:\n  ${live}/<name>/\n\n` +
      `Try next:\n` +
      `  CERTDECK_HOME=${env.CERTDECK_HOME} npx certdeck                 # the dashboard\n` +
      `  CERTDECK_HOME=${env.CERTDECK_HOME} npx certdeck sandbox start   # the local CA again, to issue more\n`,
  );
}
if (stopOurs) {
  say('Stopping the sandbox the demo started');
  await stopSandboxOnce();
} else {
  say(`The sandbox is left running (${wasRunning ? 'it was running before the demo' : '--keep-sandbox'}). Stop it with:\n  ${stopCommand}`);
}
process.exitCode = code;
