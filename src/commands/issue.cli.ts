import { Command, Option } from 'commander';

export interface IssueCliOptions {
  name?: string;
  ca?: string;
  caBundle?: string;
  email?: string;
  agreeTos?: boolean;
  eabKid?: string;
  eabHmacKey?: string;
  keyType?: string;
  reuseKey?: boolean;
  httpPort?: string;
  httpAddress?: string;
  webroot?: string;
  challenge?: string;
  dnsHook?: string;
  dnsAuthHook?: string;
  dnsCleanupHook?: string;
  dnsHookTimeout?: string;
  dnsResolver?: string[];
  dnsPropagation?: string;
  dnsPropagationTimeout?: string;
  tlsAlpnPort?: string;
  preferredChain?: string;
  pollTimeout?: string;
  authzTimeout?: string;
  maxRetries?: string;
  fallback?: string;
  each?: boolean;
  concurrency: string;
  wait?: boolean;
  ifDue?: boolean;
  profile?: string;
  requireProfile?: string;
  json?: boolean;
  verbose?: boolean;
  tui: boolean;
}

export function registerIssueCommand(program: Command): void {
  program
    .command('issue')
    .description('Issue a certificate for one or more names (one certificate for all names, or one each with --each).')
    .addHelpText(
      'after',
      '\nA certificate issued once remembers what obtained it (CA, account, key type, challenge, preferred chain,\n' +
        'fallbacks) in requests/<name>.json: a later issue of the same certificate, --if-due from cron and the\n' +
        "dashboard's renew need no more flags. Flags given override it for that run, and the run says so.",
    )
    .argument('<domain...>', 'names to cover, e.g. example.com www.example.com')
    .option('--name <name>', 'certificate name (directory under live/); default: the first domain')
    .option('--ca <id|url>', 'CA id from the catalog (letsencrypt, letsencrypt-staging, zerossl, google, sandbox, ...) or an ACME directory URL')
    .option('--ca-bundle <file.pem>', 'PEM bundle to trust for this CA only (private ACME servers)')
    .option('--email <address>', "contact e-mail of the account (default: the account that obtained this certificate, or the CA's only account)")
    .option('--agree-tos', "agree to the CA's terms of service (needed only to create an account)")
    .option('--eab-kid <kid>', 'External Account Binding key id (or CERTDECK_EAB_KID)')
    .option('--eab-hmac-key <key>', 'External Account Binding HMAC key (or CERTDECK_EAB_HMAC_KEY; prefer the variable: flags show in ps)')
    .addOption(new Option('--key-type <type>', 'private key type (default: the stored request\'s, then the settings file\'s, else ec-p256)').choices(['ec-p256', 'ec-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096']))
    .option('--reuse-key', "keep the certificate's existing private key (remembered for later runs)")
    .option('--no-reuse-key', 'generate a new private key even if the stored request reuses the old one')
    .option('--http-port <port>', 'port of the built-in HTTP-01 server (default 80; the sandbox CA sets its own)')
    .option('--http-address <addr>', 'address the built-in HTTP-01 server (or TLS-ALPN-01 responder) listens on (default all)')
    .option('--webroot <dir>', "write HTTP-01 answers under DIR/.well-known/acme-challenge/ for an existing web server")
    .addOption(new Option('--challenge <type>', 'how the names are proved (default http-01; wildcards need dns-01)').choices(['http-01', 'dns-01', 'tls-alpn-01']))
    .option('--dns-hook <path>', "dns-01: lego exec-style hook, run as PATH present|cleanup <FQDN.> <VALUE>")
    .option('--dns-auth-hook <path>', 'dns-01: certbot-style auth hook (CERTBOT_DOMAIN, CERTBOT_VALIDATION, CERTBOT_ALL_DOMAINS, CERTBOT_REMAINING_CHALLENGES)')
    .option('--dns-cleanup-hook <path>', 'dns-01: certbot-style cleanup hook (the same variables plus CERTBOT_AUTH_OUTPUT)')
    .option('--dns-hook-timeout <duration>', 'dns-01: a hook still running after this is killed with its process tree (default 2m)')
    .option('--dns-resolver <host[:port]>', 'dns-01: a DNS server to check propagation at (repeatable)', (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .option('--dns-propagation <mode>', 'dns-01: authoritative | resolvers | wait:DURATION (default: authoritative, or resolvers when --dns-resolver is given)')
    .option('--dns-propagation-timeout <duration>', 'dns-01: how long every record may take to be seen at every checked server (default 2m)')
    .option('--tls-alpn-port <port>', 'tls-alpn-01: port of the built-in responder (default 443; the sandbox CA sets its own)')
    .option('--preferred-chain <issuer CN>', 'prefer the alternate chain whose top issuer has this common name')
    .option('--poll-timeout <duration>', 'deadline for an order in processing (e.g. 30s, 5m; bare number = seconds)')
    .option('--authz-timeout <duration>', 'deadline for validating the names')
    .option('--max-retries <n>', 'retries of one request after network errors, 429 or 5xx')
    .option('--profile <name>', "ask for this certificate profile (the CA directory's meta.profiles, e.g. tlsserver, shortlived) when the CA lists it; otherwise warn and use the CA's default")
    .option('--require-profile <name>', 'like --profile, but fail before ordering when the CA does not list it')
    .option('--fallback <ids>', 'comma-separated CAs to try in order when the primary runs out of time or retries')
    .option('--each', 'one certificate per name instead of one for all names (run concurrently)')
    .option('--concurrency <n>', 'with --each: orders running at once', '4')
    .option('--wait', 'if another process holds this certificate, wait for it instead of failing')
    .option('--if-due', 'renewal mode for cron: order only if the certificate is missing, changed, or due for renewal (last third of its lifetime)')
    .option('--json', 'print one JSON engine event per line (NDJSON) and a final summary; implies --no-tui')
    .option('-v, --verbose', 'also print every exchange with the CA')
    .addOption(new Option('--no-tui', 'print progress lines even on a terminal'))
    .action(async (domains: string[], opts: IssueCliOptions) => {
      const { runIssueCommand } = await import('./issue.js');
      process.exitCode = await runIssueCommand(domains, opts, { stdout: process.stdout, stderr: process.stderr, env: process.env });
    });
}
