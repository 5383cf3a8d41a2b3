export * from './heartbeat.js';
export * from './phi.js';
export * from './liveness.js';
