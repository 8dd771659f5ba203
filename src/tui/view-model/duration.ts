/**
 * TEMPORARY: the duration format lives in engine/core/duration.ts (one format for the TUI, headless output, deploy
 * logs and error messages). Only commands/list.ts still imports this path; delete this file once the front-door
 * branch has rerouted `list` through the Engine (see TEMPORARY_COMMAND_EXCEPTIONS in .dependency-cruiser.cjs).
 */
export { TIME } from '../../engine/core/duration.js';
