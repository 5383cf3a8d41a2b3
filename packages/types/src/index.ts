export * from './errors.js';
export * from './domain.js';
export * from './spec.js';
