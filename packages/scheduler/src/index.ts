export { placeTasks } from './place.js';
export { explainPlacement } from './explain.js';
export type { PlacementInput, PlacementResult, PlacementOptions, PlacementStrategy, NodeExplanation } from './types.js';
export { UsageLedger, type NodeUsage } from './usage.js';
