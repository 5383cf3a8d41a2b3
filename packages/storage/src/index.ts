export { LevelRaftStorage, STORE_VERSION, type SaveRequest, type LoadedState, type OpenOptions } from './log-store.js';
export { LevelKv, type KvStore, type KvOp } from './kv.js';
