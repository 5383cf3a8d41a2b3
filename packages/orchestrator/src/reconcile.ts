/**
 * The leader's control loop as a pure function: given the replicated state
 * and the time, return the commands to propose next. Decisions depend on
 * state and `now` only, so a new leader carries on exactly where the old one
 * stopped (no in-memory timers, nomad#1747). Node liveness is not decided
 * here: the daemon commits `node.down` from its failure detector.
 */
import type { PlacementStrategy } from '@shoal/scheduler';
import type { ClusterView, Command } from '@shoal/state';
import type { Service } from '@shoal/types';
import { cleanupTask } from './cleanup.js';
import { Context, type Rng } from './context.js';
import { placePending } from './placement.js';
import type { ReconcilePlan } from './plan.js';
import { reconcileService } from './service.js';
import { rebalanceService } from './rebalance.js';
import { relievePressure } from './pressure-moves.js';
import type { ReconcileScope } from './scope.js';

/**
 * Batch sizes per Raft entry. A task carries its whole spec, so a step that
 * lays out 100,000 replicas would be one entry of tens of MB (past the
 * entry limit, and one fsync holding everything up); smaller entries are
 * applied, replicated and reported on as they come. Commands stay in the
 * same order (every create before the assignments that place it).
 */
export const MAX_TASKS_PER_COMMAND = 1000;
export const MAX_ITEMS_PER_COMMAND = 5000;

function chunks<T>(items: T[], size: number): T[][] {
  if (items.length <= size) return items.length === 0 ? [] : [items];
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface ReconcileOptions {
  strategy?: PlacementStrategy;
  /** Look only at what changed (scope.ts); absent: look at everything. */
  scope?: ReconcileScope;
  /**
   * Stop taking up further services once this many tasks are to be created
   * (a service is never split). A pass that lays out 100,000 replicas at
   * once holds the leader's thread for seconds, and with it its Raft
   * heartbeats; the rest goes in `deferred` for the next pass.
   */
  maxCreates?: number;
}

export interface ReconcileResult {
  /** In proposal order: task.desired, task.create, task.assign, task.remove, then service commands. */
  commands: Command[];
  plan: ReconcilePlan;
  /** Services not looked at because `maxCreates` was reached: reconcile them next. */
  deferred: string[];
}

export function reconcile(state: ClusterView, now: number, rng?: Rng, opts: ReconcileOptions = {}): ReconcileResult {
  const ctx = new Context(state, now, rng);
  const scope = opts.scope;
  const deferred: string[] = [];
  const maxCreates = opts.maxCreates ?? Infinity;
  /** The services this pass takes up: in order, until `maxCreates` tasks are to be created. */
  const takeUp = (all: Iterable<Service>): Service[] => {
    const taken: Service[] = [];
    for (const service of all) {
      if (ctx.creates.length >= maxCreates) deferred.push(service.id);
      else {
        reconcileService(ctx, service);
        taken.push(service);
      }
    }
    return taken;
  };
  if (scope === undefined) {
    for (const service of takeUp(state.services())) rebalanceService(ctx, service);
    relievePressure(ctx);
    for (const t of state.tasks()) cleanupTask(ctx, t);
  } else {
    const services = takeUp([...scope.services].map((id) => state.service(id)).filter((s) => s !== undefined));
    for (const service of services) rebalanceService(ctx, service);
    relievePressure(ctx);
    // A removed service's tasks are still listed under its id.
    for (const id of scope.services) for (const t of state.tasksByService(id)) cleanupTask(ctx, t);
    for (const id of scope.nodes) for (const t of state.tasksByNode(id)) cleanupTask(ctx, t);
  }
  const placed = placePending(ctx, opts.strategy, scope);

  const commands: Command[] = [];
  for (const changes of chunks(ctx.desired, MAX_ITEMS_PER_COMMAND)) commands.push({ type: 'task.desired', at: now, changes });
  for (const tasks of chunks(ctx.creates, MAX_TASKS_PER_COMMAND)) commands.push({ type: 'task.create', at: now, tasks });
  const assignChunks = chunks(placed.assignments, MAX_ITEMS_PER_COMMAND);
  const pendingChunks = chunks(placed.pending, MAX_ITEMS_PER_COMMAND);
  for (let i = 0; i < Math.max(assignChunks.length, pendingChunks.length); i++) {
    const assignments = assignChunks[i] ?? [];
    const pending = pendingChunks[i];
    commands.push(pending ? { type: 'task.assign', at: now, assignments, pending } : { type: 'task.assign', at: now, assignments });
  }
  for (const taskIds of chunks(ctx.removes, MAX_ITEMS_PER_COMMAND)) commands.push({ type: 'task.remove', at: now, taskIds });
  commands.push(...ctx.serviceCommands);
  return { commands, plan: ctx.plan, deferred };
}
