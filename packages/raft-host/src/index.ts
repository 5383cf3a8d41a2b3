export { RaftHost, type RaftHostOptions } from './raft-host.js';
export { ReadyWriter } from './ready-writer.js';
export { MemoryNetwork, type MemoryNetworkOptions } from './memory-network.js';
export { realScheduler, type HostScheduler, type Cancel } from './scheduler.js';
export { whenDone, type RaftStorage, type SaveRequest, type LoadedState, type Completion } from './storage.js';
export { silentLogger, type RaftTransport, type StateMachine, type HostLogger } from './transport.js';
export { toShoalError } from './raft-errors.js';
