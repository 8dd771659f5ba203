/**
 * Import boundaries (design.md "One front door"): `npm run lint`, part of `npm test`.
 *
 * engine/ knows no screen and no command; the TUI sees the engine only through its API types and a few pure
 * helpers; commands talk to the composition root (app/) and the Engine API, never to the engine's internals.
 * Paths are regular expressions over paths relative to the repository root ("src/engine/api.ts").
 */

/** What the TUI may import from engine/: the Engine API, its snapshot and events, and pure helpers. */
const TUI_MAY_USE_FROM_ENGINE = [
  '^src/engine/api\\.ts$', // the Engine interface, its actions and inputs
  '^src/engine/events\\.ts$', // the event union (types)
  '^src/engine/state\\.ts$', // the snapshot the views read
  '^src/engine/policy\\.ts$', // wait-policy types shown in the policy panel
  '^src/engine/names\\.ts$', // domain validation on every keystroke (pure)
  '^src/engine/renew/(status|window)\\.ts$', // the certificate status and renewal window the engine decided (pure)
  '^src/engine/history-view\\.ts$', // history records as lines of text (pure; reads no files)
  '^src/engine/core/errors\\.ts$', // EngineError kinds and ErrorInfo
  '^src/engine/core/clock\\.ts$', // the injected Clock type
  '^src/engine/core/duration\\.ts$', // the one duration format
];

/** What a command may import from engine/: the same API surface, plus the Engine class and flag parsing. */
const COMMANDS_MAY_USE_FROM_ENGINE = [
  ...TUI_MAY_USE_FROM_ENGINE,
  '^src/engine/engine\\.ts$', // the Engine type (app/ builds it)
  '^src/engine/deploy/host-spec\\.ts$', // parses and prints `deploy add --host NAME[@ADDRESS][:PORT]` (pure)
];

/** Besides engine/ (above), where a command may reach: the composition root, reporters, the TUI's entry, peers. */
const COMMANDS_MAY_USE = [
  '^src/commands/',
  '^src/app/',
  '^src/headless/',
  '^src/tui/render-tui\\.ts$', // the TUI's entry point
  '^src/sandbox/', // the local test CA (Pebble) is its own subsystem, not part of the engine
  '^src/schedule/', // systemd units and the cron line for `certdeck schedule`: host set-up, no engine state
  ...COMMANDS_MAY_USE_FROM_ENGINE,
];

/**
 * TEMPORARY: imports that go around the Engine today, each an exact (command file -> module) pair. The front-door
 * branch (issue 9, points 1-4) reroutes these commands through the Engine API; delete each entry as its import
 * disappears, and this map with the last one. Do not add entries: add an Engine method instead.
 */
const TEMPORARY_COMMAND_EXCEPTIONS = {
  'src/commands/sandbox.ts': ['src/engine/ca/sandbox-state.ts', 'src/engine/store/paths.ts'],
};

const exact = (file) => `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
const COMMANDS_RULE = {
  comment:
    'Commands import the composition root (src/app/) and the Engine API only, never engine internals (store, acme, ' +
    'deploy, order, issue, challenge) nor TUI internals. Need something new? Add an Engine method.',
  severity: 'error',
};

module.exports = {
  forbidden: [
    {
      name: 'engine-stays-inside',
      comment: 'src/engine/ imports nothing from the TUI, commands, headless reporters or the composition root.',
      severity: 'error',
      from: { path: '^src/engine/' },
      to: { path: '^src/(tui|commands|headless|app)/' },
    },
    {
      name: 'engine-has-no-react',
      comment: 'src/engine/ holds no React and no terminal UI: it runs headless and in tests without Ink.',
      severity: 'error',
      from: { path: '^src/engine/' },
      to: { path: '(^|/)node_modules/(react|react-dom|ink|@inkjs/[^/]+|ink-[^/]+)/' },
    },
    {
      name: 'tui-uses-engine-api-only',
      comment:
        'src/tui/ sees the engine through its API (api.ts, events.ts, state.ts) and a few pure helpers, never store, ' +
        'acme, deploy, order, issue or challenge internals. Put what a view needs into the snapshot or an Engine method.',
      severity: 'error',
      from: { path: '^src/tui/' },
      to: { path: '^src/engine/', pathNot: TUI_MAY_USE_FROM_ENGINE },
    },
    {
      name: 'tui-not-above-itself',
      comment: 'src/tui/ does not import commands, the composition root or headless reporters (they import it).',
      severity: 'error',
      from: { path: '^src/tui/' },
      to: { path: '^src/(commands|app|headless)/' },
    },
    {
      name: 'commands-use-app-and-engine-api-only',
      ...COMMANDS_RULE,
      from: { path: '^src/commands/', pathNot: Object.keys(TEMPORARY_COMMAND_EXCEPTIONS).map(exact) },
      to: { path: '^src/', pathNot: COMMANDS_MAY_USE },
    },
    // The same rule for the files with a temporary exception, so any import beyond the listed pairs still fails.
    ...Object.entries(TEMPORARY_COMMAND_EXCEPTIONS).map(([file, allowed]) => ({
      name: 'commands-use-app-and-engine-api-only',
      ...COMMANDS_RULE,
      from: { path: exact(file) },
      to: { path: '^src/', pathNot: [...COMMANDS_MAY_USE, ...allowed.map(exact)] },
    })),
    {
      name: 'no-unresolvable-import',
      comment: 'An import that does not resolve would slip past every rule above (and fail at run time).',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Type-only imports couple layers too (a view that imports a store type breaks when the store changes).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
