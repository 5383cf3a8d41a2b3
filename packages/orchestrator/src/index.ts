export { reconcile, MAX_TASKS_PER_COMMAND, MAX_ITEMS_PER_COMMAND, type ReconcileOptions, type ReconcileResult } from './reconcile.js';
export { ReconcileTracker, type ReconcileScope } from './scope.js';
export { planUpdate, type UpdatePlan } from './plan-update.js';
export type { ReconcilePlan, PlannedTask } from './plan.js';
export type { Rng } from './context.js';
export { restartDecision, type RestartDecision } from './restart.js';
export { namedVolumes, stickyNode } from './sticky.js';
export { planRebalance, AUTO_MOVES_PER_MINUTE, type RebalanceMove, type RebalancePlan } from './rebalance.js';
export { relievePressure, PRESSURE_MOVES_PER_MINUTE, PRESSURE_SETTLE_MS, MIN_TASK_AGE_MS } from './pressure-moves.js';
