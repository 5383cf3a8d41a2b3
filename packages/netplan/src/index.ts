export * from './ranges.js';
export * from './allocator.js';
export * from './plan.js';
export * from './endpoints.js';
export * from './names.js';
export * from './dns-records.js';
export * from './ruleset.js';
export * from './links.js';
