export { buildProgram, VERSION, type ExtraCommands } from './program.js';
export { run, main, type RunOptions } from './main.js';
export { parseDuration, parseSize, formatDuration, formatBytes } from './units.js';
export { applyServiceFlags, parsePort, type ServiceFlags } from './spec-flags.js';
export { composeToSpecs, type ComposeImport } from './compose/index.js';
export { resolveConnection, type ConnectionFlags } from './connection.js';
export { followService, measure, diagnose } from './follow.js';
export { readJoinToken, TOKEN_ON_CMDLINE_WARNING, type JoinTokenFlags } from './join-token-source.js';
