/**
 * The leader's control loop as a pure function: given the replicated state
 * and the time, return the commands to propose next. Decisions depend on
 * state and `now` only, so a new leader carries on exactly where the old one
 * stopped (no in-memory timers, nomad#1747). Node liveness is not decided
 * here: the daemon commits `node.down` from its failure detector.
 */
import type { PlacementStrategy } from '@shoal/scheduler';
import type { ClusterView, Command } from '@shoal/state';
import { cleanupTask } from './cleanup.js';
import { Context, type Rng } from './context.js';
import { placePending } from './placement.js';
import type { ReconcilePlan } from './plan.js';
import { reconcileService } from './service.js';
import { rebalanceService } from './rebalance.js';
import { relievePressure } from './pressure-moves.js';

export interface ReconcileOptions {
  strategy?: PlacementStrategy;
}

export interface ReconcileResult {
  /** In proposal order: task.desired, task.create, task.assign, task.remove, then service commands. */
  commands: Command[];
  plan: ReconcilePlan;
}

export function reconcile(state: ClusterView, now: number, rng?: Rng, opts: ReconcileOptions = {}): ReconcileResult {
  const ctx = new Context(state, now, rng);
  for (const service of state.services()) reconcileService(ctx, service);
  for (const service of state.services()) rebalanceService(ctx, service);
  relievePressure(ctx);
  for (const t of state.tasks()) cleanupTask(ctx, t);
  const placed = placePending(ctx, opts.strategy);

  const commands: Command[] = [];
  if (ctx.desired.length > 0) commands.push({ type: 'task.desired', at: now, changes: ctx.desired });
  if (ctx.creates.length > 0) commands.push({ type: 'task.create', at: now, tasks: ctx.creates });
  if (placed.assignments.length > 0 || placed.pending.length > 0) {
    commands.push(placed.pending.length > 0 ? { type: 'task.assign', at: now, assignments: placed.assignments, pending: placed.pending } : { type: 'task.assign', at: now, assignments: placed.assignments });
  }
  if (ctx.removes.length > 0) commands.push({ type: 'task.remove', at: now, taskIds: ctx.removes });
  commands.push(...ctx.serviceCommands);
  return { commands, plan: ctx.plan };
}
