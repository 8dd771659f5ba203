/**
 * The deploy pipeline: what the engine and the CLI use. Everything else in this folder is internal.
 */
export { runDeploy, type RunDeployOptions } from './runner.js';
export { loadCertBundle, normalizeFingerprint, type CertBundle } from './cert-bundle.js';
export { addTarget, loadResults, loadTargets, removeTarget, resultsFilePath, targetsFilePath } from './target-store.js';
export { normalizeTarget, TARGET_KINDS, TargetSchemaError } from './target-schema.js';
export { ONLY_FAILED } from './select-targets.js';
export { formatVerifyHost, parseVerifyHost } from './host-spec.js';
export { findProgram, validateTargetEnvironment } from './validate-target.js';
export { DeployTargetError } from './errors.js';
export type * from './types.js';
