/** The engine's diagnostics: `certdeck doctor` and the setup's preflight. Reached through Engine methods only. */
export { runDoctor, type DiagnoseDeps } from './doctor.js';
export { runPreflight, type PreflightOptions, type PreflightReport, type PreflightName } from './preflight.js';
export * from './types.js';
