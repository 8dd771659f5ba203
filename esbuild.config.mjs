/**
 * Builds dist/ for the `certdeck` bin: the CLI (main.js, loaded by the version check in cli.js), the demo and the sandbox's fault proxy (a process of its own), each
 * bundled with its dependencies. Why bundle: Ink pulls in es-toolkit's whole compat barrel (400+ files) for one
 * function, and Node resolves and links every ES module file one by one; a bundle holds only what is used, which is
 * most of the dashboard's start-up time. Lazy parts (the TUI, the ACME stack, deploy) stay lazy: every dynamic
 * import becomes a chunk of its own (splitting). Type checking is `npm run typecheck` (tsc); esbuild only strips.
 */
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

/**
 * Parts of dependencies certdeck never calls, replaced by empty modules so the issue path does not load them
 * (together about 1 MB of the ACME chunk, most of its load time):
 * - acme-client's `forge` export (src/crypto/forge.js, deprecated, the whole of node-forge): certdeck uses
 *   acme.crypto (node:crypto and @peculiar/x509) only; its own node-forge users (tls-alpn-01, PKCS#12, the
 *   sandbox's PKI) import node-forge directly and keep it.
 * - mime-db, the MIME table axios's form-data reads to name the type of an uploaded file: ACME sends JSON only.
 */
/**
 * node:http as a CommonJS require, not an ES import: Node builds the ES module facade of a built-in by reading
 * every export, and node:http's lazy WebSocket/MessageEvent getters then load undici (about 100 ms, more than
 * everything else before certdeck's first request). require() returns the module object, getters untouched.
 */
const builtinsWithoutFacade = {
  name: 'certdeck-builtins-without-facade',
  setup(b) {
    b.onResolve({ filter: /^(node:)?https?$/ }, (args) =>
      args.kind === 'import-statement' || args.kind === 'dynamic-import' ? { path: args.path.replace(/^node:/, ''), namespace: 'cjs-builtin' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'cjs-builtin' }, (args) => ({ contents: `module.exports = require('node:${args.path}');`, loader: 'js' }));
  },
};

const unusedParts = {
  name: 'certdeck-unused-parts',
  setup(b) {
    b.onResolve({ filter: /^\.\/crypto\/forge$/ }, (args) => (/[\\/]acme-client[\\/]src$/.test(args.resolveDir) ? { path: 'acme-client-forge', namespace: 'unused' } : undefined));
    b.onResolve({ filter: /^mime-db$/ }, () => ({ path: 'mime-db', namespace: 'unused' }));
    b.onLoad({ filter: /.*/, namespace: 'unused' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

await rm('dist', { recursive: true, force: true });
await build({
  entryPoints: ['src/main.ts', 'src/demo.ts', 'src/sandbox/fault-proxy-main.ts'],
  outdir: 'dist',
  outbase: 'src',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  // Ink loads React's devtools bridge only when DEV=true, and it is not a dependency: leave the import to Node.
  external: ['react-devtools-core'],
  plugins: [unusedParts, builtinsWithoutFacade],
  // The CommonJS dependencies bundled into ES modules (acme-client, axios, node-forge) call require() for Node's
  // built-ins, which an ES module does not have.
  banner: { js: "import { createRequire as __certdeckCreateRequire } from 'node:module'; const require = __certdeckCreateRequire(import.meta.url);" },
  legalComments: 'none',
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
});
// The bin itself: only the Node version check, then `import('./main.js')`. Not bundled and lowered to old syntax, so
// an old Node can parse it and say which Node certdeck needs instead of failing somewhere inside the bundle.
await build({
  entryPoints: ['src/cli.ts'],
  outdir: 'dist',
  outbase: 'src',
  bundle: false,
  format: 'esm',
  platform: 'node',
  target: 'node14',
  logLevel: 'warning',
});
