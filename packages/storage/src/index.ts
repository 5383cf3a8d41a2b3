export { LevelRaftStorage, STORE_VERSION, type SaveRequest, type LoadedState, type OpenOptions } from './log-store.js';
export { LevelKv, type KvStore, type KvOp } from './kv.js';
export { RaftHost, type RaftHostOptions } from './raft-host.js';
export { MemoryNetwork, type MemoryNetworkOptions } from './memory-network.js';
export { silentLogger, type RaftTransport, type StateMachine, type HostLogger } from './transport.js';
