/**
 * Places every task waiting for a node, those created in this step
 * included, so a failover is replaced and placed in one step and nothing
 * stays pending once it fits.
 */
import { placeTasks, type PlacementStrategy } from '@shoal/scheduler';
import type { Task } from '@shoal/types';
import type { TaskAssignment, TaskPending } from '@shoal/state';
import type { Context } from './context.js';
import { hasEnded, isUnplaced } from './task-facts.js';
import { namedVolumes, stickyReason } from './sticky.js';
import type { ReconcileScope } from './scope.js';

/** The waiting tasks a scoped pass retries: those of changed services, or all of them once capacity may have changed. */
function waitingInScope(ctx: Context, scope: ReconcileScope): Task[] {
  const waiting = (t: Task) => t.desiredState === 'running' && isUnplaced(t) && !ctx.isDecided(t.id);
  if (scope.capacity) return (ctx.view.unplacedTasks?.() ?? ctx.view.tasks()).filter(waiting);
  const out: Task[] = [];
  for (const id of scope.services) for (const t of ctx.view.tasksByService(id)) if (waiting(t)) out.push(t);
  return out;
}

export function placePending(ctx: Context, strategy: PlacementStrategy | undefined, scope?: ReconcileScope): { assignments: TaskAssignment[]; pending: TaskPending[] } {
  const pending: Task[] = [];
  const live: Task[] = [];
  // A scoped pass with nothing waiting does not read the placed tasks at all.
  if (scope !== undefined) {
    const waiting = waitingInScope(ctx, scope);
    if (ctx.creates.length === 0 && waiting.length === 0) return { assignments: [], pending: [] };
    // With the leader's usage ledger, only the services being placed are read (their spread and per-node counts).
    if (scope.usage !== undefined) return place(ctx, strategy, [...waiting, ...ctx.creates], servicesTasks(ctx, [...waiting, ...ctx.creates]), scope);
  }
  for (const t of ctx.view.tasks()) {
    if (t.nodeId !== undefined && !hasEnded(t) && (t.desiredState !== 'running' || ctx.isDecided(t.id))) {
      // Being stopped: its container still holds ports and memory until the agent reports it ended.
      live.push(t.desiredState === 'running' ? { ...t, desiredState: 'shutdown' } : t);
      continue;
    }
    if (t.desiredState !== 'running') continue;
    if (isUnplaced(t)) {
      if (!ctx.isDecided(t.id)) pending.push(t);
    } else if (t.nodeId !== undefined && !hasEnded(t)) live.push(t);
  }
  // A loop, not push(...creates): spreading 300,000 arguments overflows the stack.
  for (const t of ctx.creates) pending.push(t);
  if (pending.length === 0) return { assignments: [], pending: [] };
  return place(ctx, strategy, pending, live);
}

/** The tasks of the pending tasks' services, as placement counts them (one being stopped in this pass no longer counts). */
function servicesTasks(ctx: Context, pending: Task[]): Task[] {
  const out: Task[] = [];
  for (const id of new Set(pending.map((t) => t.serviceId))) {
    for (const t of ctx.view.tasksByService(id)) {
      if (t.nodeId === undefined || hasEnded(t) || t.desiredState !== 'running') continue;
      out.push(ctx.isDecided(t.id) ? { ...t, desiredState: 'shutdown' } : t);
    }
  }
  return out;
}

function place(ctx: Context, strategy: PlacementStrategy | undefined, pending: Task[], live: Task[], scope?: ReconcileScope): { assignments: TaskAssignment[]; pending: TaskPending[] } {
  const input = { nodes: [...ctx.nodes.values()], tasks: live, pending, ...(scope?.usage ? { usage: scope.usage } : {}) };
  const result = placeTasks(input, strategy ? { strategy } : undefined);
  // The scheduler filters these too; checking again keeps a scheduler bug from landing work on a dead node.
  const assignments = result.assignments.filter((a) => {
    const n = ctx.nodes.get(a.nodeId);
    return n !== undefined && n.status === 'ready' && n.availability === 'active';
  });
  // A replica pinned to its data (sticky.ts) says what it waits for.
  const byId = new Map(pending.map((t) => [t.id, t]));
  for (const u of result.unplaced) {
    const t = byId.get(u.taskId);
    if (t && t.slot > 0 && t.nodeId !== undefined && namedVolumes(t.spec).length > 0) u.reason = stickyReason(t, ctx.nodes, u.reason);
  }
  for (const a of assignments) ctx.plan.assigned.push(a);
  for (const u of result.unplaced) ctx.plan.pending.push(u);
  // Only reasons that changed are proposed: a task pending for the same reason costs no log entry.
  const before = new Map(pending.map((t) => [t.id, t.pendingReason]));
  const changed = result.unplaced.filter((u) => before.get(u.taskId) !== u.reason);
  return { assignments, pending: changed };
}
