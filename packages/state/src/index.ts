export * from './commands.js';
export { ClusterState, type ChangeListener } from './cluster-state.js';
export type { ClusterView, TaskFilter } from './view.js';
export { encodeCommand, decodeCommand, MAX_COMMAND_BYTES, MAX_BATCH } from './codec.js';
export { specFingerprint, sameTaskSpec } from './fingerprint.js';
export { slotKey, DEFAULT_CONFIG } from './store.js';
export { isFinished } from './history.js';
export * from './secret-records.js';
export { specUses } from './apply-secret.js';
