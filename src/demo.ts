/**
 * `npm run demo`: the main job on a local sandbox CA. Starts the sandbox (two Pebbles + a mock DNS, all on
 * loopback) if it is not running, then issues a two-name certificate and two single-name certificates with real
 * HTTP-01 validation, and a wildcard by dns-01 through the sandbox's hook, and shows where the files are. Uses ./.certdeck-demo as the state home unless
 * CERTDECK_HOME is set, so it never touches a real installation.
 */
import path from 'node:path';
import { runSandboxCommand } from './commands/sandbox.js';
import { runIssueCommand } from './commands/issue.js';
import type { IssueCliOptions } from './commands/issue.cli.js';
import { sandboxDnsHookPath } from './sandbox/dns-hook.js';

const env = { ...process.env, CERTDECK_HOME: process.env.CERTDECK_HOME ?? path.resolve('.certdeck-demo') };
const io = { stdout: process.stdout, stderr: process.stderr, env };
const say = (text: string): void => void process.stdout.write(`\n== ${text}\n`);

say(`certdeck demo (state home: ${env.CERTDECK_HOME})`);
let code = await runSandboxCommand('start', {}, io);
if (code !== 0) process.exit(code);

const base: IssueCliOptions = { ca: 'sandbox', agreeTos: true, email: 'demo@certdeck.test', keyType: 'ec-p256', concurrency: '4', tui: true };
say('One certificate for two names (real HTTP-01 validation by Pebble)');
code = await runIssueCommand(['demo.certdeck.test', 'www.demo.certdeck.test'], base, io);
if (code === 0) {
  say('One certificate per name, issued concurrently (--each)');
  code = await runIssueCommand(['api.certdeck.test', 'shop.certdeck.test'], { ...base, each: true, keyType: 'rsa-2048' }, io);
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
      `  CERTDECK_HOME=${env.CERTDECK_HOME} npx certdeck sandbox status\n` +
      `  CERTDECK_HOME=${env.CERTDECK_HOME} npx certdeck sandbox stop\n`,
  );
}
process.exitCode = code;
