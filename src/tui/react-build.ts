import { createRequire } from 'node:module';

/**
 * Which React build the terminal UI runs on. React picks its build from NODE_ENV when it is first loaded, and
 * without one it loads the development build, which validates every element and records every render for dev
 * tools: that doubles the cost of each dashboard frame (bench/tui.ts). So, unless NODE_ENV says otherwise or React is
 * already loaded (tests, a host program), the UI's modules are loaded with NODE_ENV=production, which is then taken
 * back, so deploy hooks and other child processes inherit the environment the operator gave.
 *
 * It has to be a dynamic import: Node runs the CommonJS modules (react, react-reconciler) that an ES module graph
 * imports before any ES module body of that graph, so a static import could never set NODE_ENV in time.
 */
export async function loadWithProductionReact<T>(load: () => Promise<T>): Promise<T> {
  // Entries that are not `loaded` are placeholders Node's ES module loader leaves while it reads a CommonJS module's
  // re-exports; they never ran.
  const reactLoaded = Object.entries(createRequire(import.meta.url).cache).some(([file, m]) => m?.loaded === true && /[\\/]node_modules[\\/]react[\\/]/.test(file));
  if (process.env.NODE_ENV !== undefined || reactLoaded) return load();
  process.env.NODE_ENV = 'production';
  try {
    return await load();
  } finally {
    delete process.env.NODE_ENV;
  }
}
