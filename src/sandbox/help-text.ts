// Help texts for `certdeck sandbox start --help`, in a module without imports so the CLI's help stays fast.
// Keep them in step with DEFAULT_SANDBOX_PORTS/PORT_ROLES (ports.ts) and parseFaultSpec (fault/preset.ts);
// test/sandbox/fault-spec.test.ts checks the examples parse.

/** Default ports and --port-base. */
export const SANDBOX_PORTS_HELP = `
Default ports (all on 127.0.0.1): pebble "sandbox" 14000 (management 15000), pebble "sandbox-b" 14010 (15010),
pebble-challtestsrv DNS 8053 (management 8055), HTTP-01 validation 5002, TLS-ALPN-01 5001,
fault proxy 14100 (control 14101). --port-base N uses N..N+9 in that order instead.`;

/** The --fault syntax. */
export const FAULT_SYNTAX_HELP = `--fault takes RULE[,RULE...], "none" (proxy only, faults set later through its control endpoint), or a path
to a JSON scenario file ({"rules": [...]}). Rules (optional fields after ":", defaults in brackets):
  hang-processing[:SECONDS|forever[:RETRY_AFTER]]  hold orders in "processing" [forever, no Retry-After]
  order-not-ready[:K]                              finalize goes through, the client gets 403 orderNotReady [1]
  rate-limit[:RESOURCE[:K[:RETRY]]]                429 rateLimited, not forwarded [new-order:1:5]
  unavailable[:RESOURCE[:K[:RETRY]]]               503 with Retry-After, not forwarded [new-order:1:5]
  bad-nonce[:K|:P%]                                400 badNonce with a fresh nonce [1]
  latency:MS[:RESOURCE]                            add MS milliseconds to each response [any]
  reset[:RESOURCE[:K]]                             drop the connection without a response [new-order:1]
  clock-skew:SECONDS                               every response's Date header SECONDS off (negative: behind)
K counts matching requests (* = all of them). RETRY is seconds (5), an HTTP-date that many seconds ahead
(date+5), or none. RESOURCE: directory new-nonce new-account account new-order order finalize authz challenge
cert key-change revoke other any.
Examples: --fault hang-processing:30   --fault rate-limit:new-order:2:date+60,bad-nonce:20%
Control endpoint: GET/PUT /scenario (JSON, or a JSON string in this syntax), GET /log, POST /log/clear.`;
