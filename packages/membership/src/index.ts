export * from './heartbeat.js';
export * from './phi.js';
export * from './liveness.js';
export * from './swim-config.js';
export * from './swim-messages.js';
export * from './broadcast-queue.js';
export * from './swim.js';
export * from './down-confirmer.js';
