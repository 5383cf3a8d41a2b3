export * from './errors.js';
export * from './domain.js';
export * from './spec.js';
export * from './constraint.js';
export * from './defaults.js';
export * from './validate.js';
export * from './dangerous.js';
export * from './task-state.js';
