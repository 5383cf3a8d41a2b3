export { LevelRaftStorage, STORE_VERSION, type OpenOptions } from './log-store.js';
export { LevelKv, type KvStore, type KvOp } from './kv.js';
// The host loop moved to @shoal/raft-host; these types are its storage contract.
export type { SaveRequest, LoadedState } from '@shoal/raft-host';
