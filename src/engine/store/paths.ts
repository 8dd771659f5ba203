import path from 'node:path';
import envPaths from 'env-paths';
import { checkStateHome } from './home-check.js';

/**
 * Where certdeck keeps things. Everything lives under `$CERTDECK_HOME` when it is set (tests always set it);
 * otherwise settings go to the platform's config dir and keys, accounts and certificates to its data dir.
 */
export interface StatePaths {
  /** conf's directory (config.json). */
  configDir: string;
  accountsDir: string;
  /** Order journals, one file per certificate. */
  journalDir: string;
  /** certbot-style live/<name>/{cert,chain,fullchain,privkey}.pem + meta.json */
  liveDir: string;
  locksDir: string;
  sandboxDir: string;
  /** Deploy target lists, one file per certificate. */
  deployDir: string;
  /** What each certificate takes to be obtained again (requests/<name>.json), like certbot's renewal/. */
  requestsDir: string;
  /** Order history (every event and CA exchange), one NDJSON file per certificate. */
  historyDir: string;
  /** Per certificate: the cached ARI answer and the retry schedule after failed renewals (renewal/<name>.json). */
  renewalDir: string;
}

/** Resolves the state home and refuses one another user could tamper with (see home-check.ts). */
export function resolveStatePaths(env: NodeJS.ProcessEnv = process.env): StatePaths {
  const home = env.CERTDECK_HOME;
  if (home) {
    const root = path.resolve(home);
    checkStateHome(root);
    return pathsUnder(root);
  }
  const p = envPaths('certdeck', { suffix: '' });
  checkStateHome(p.data);
  checkStateHome(p.config);
  return { ...pathsUnder(p.data), configDir: p.config };
}

export function pathsUnder(root: string): StatePaths {
  return {
    configDir: root,
    accountsDir: path.join(root, 'accounts'),
    journalDir: path.join(root, 'journal'),
    liveDir: path.join(root, 'live'),
    locksDir: path.join(root, 'locks'),
    sandboxDir: path.join(root, 'sandbox'),
    deployDir: path.join(root, 'deploy'),
    requestsDir: path.join(root, 'requests'),
    historyDir: path.join(root, 'history'),
    renewalDir: path.join(root, 'renewal'),
  };
}
