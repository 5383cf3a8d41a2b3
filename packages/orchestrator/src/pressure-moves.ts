/**
 * Moving work off a node under pressure (the leader declared it from PSI and
 * available memory, with hysteresis: see @shoal/membership's pressure.ts).
 * One move per pressured node at a time, lowest `priority` first, then the
 * largest memory reservation; a task is moved only after it has run for a
 * while (so one task is never bounced around); the cluster starts at most
 * MOVES_PER_MINUTE moves a minute (rebalance moves count too). A move is the
 * same start-first swap as a rebalance: the new task is pinned to the
 * least busy node it fits on, and the old one stops once the new one is up.
 */
import { explainPlacement } from '@shoal/scheduler';
import { applySpecDefaults, type NodeInfo, type Task } from '@shoal/types';
import type { Context } from './context.js';
import { newTask } from './new-task.js';
import { hasEnded, isUp } from './task-facts.js';
import { namedVolumes } from './sticky.js';

export const PRESSURE_MOVES_PER_MINUTE = 6;
/** After a move off a pressured node, wait this long before the next: longer than the exit window, so a relieved node is declared normal first. */
export const PRESSURE_SETTLE_MS = 90_000;
/** A task younger than this is not moved for pressure (the minimum time between moves of one slot). */
export const MIN_TASK_AGE_MS = 5 * 60_000;
const MINUTE_MS = 60_000;

function memoryOf(t: Task): number {
  return t.spec.resources?.reservations?.memoryBytes ?? 0;
}

export function relievePressure(ctx: Context): void {
  const pressured = [...ctx.nodes.values()].filter((n) => n.pressure !== undefined && n.status === 'ready').sort((a, b) => a.pressure!.since - b.pressure!.since);
  if (pressured.length === 0) return;
  const all = ctx.view.tasks();
  // Rebalance moves started in this same step count too: they are not in the view yet.
  const recent = [...all, ...ctx.creates].filter((t) => t.replaces !== undefined && t.createdAt > ctx.now - MINUTE_MS);
  let budget = PRESSURE_MOVES_PER_MINUTE - recent.length;
  if (budget <= 0) {
    ctx.wake(Math.min(...recent.map((t) => t.createdAt)) + MINUTE_MS);
    return;
  }
  const live = all.filter((t) => t.desiredState === 'running' && !hasEnded(t));
  const placed = all.filter((t) => t.nodeId !== undefined && !hasEnded(t));
  const byId = new Map(all.map((t) => [t.id, t]));
  // A move is in flight while the task it replaces is still wanted; the last move off a node is its newest mover.
  const inFlight = live.filter((t) => t.replaces !== undefined && byId.get(t.replaces)?.desiredState === 'running');
  const movingFrom = new Set(inFlight.map((t) => byId.get(t.replaces!)?.nodeId));
  const busySlots = new Set(inFlight.map((t) => `${t.serviceId}/${t.slot}`));
  const lastMoveOff = new Map<string, number>();
  for (const t of all) {
    const from = t.replaces !== undefined ? byId.get(t.replaces)?.nodeId : undefined;
    if (from !== undefined && t.createdAt > (lastMoveOff.get(from) ?? -Infinity)) lastMoveOff.set(from, t.createdAt);
  }
  const load = new Map<string, number>();
  for (const t of live) if (t.nodeId) load.set(t.nodeId, (load.get(t.nodeId) ?? 0) + 1);

  for (const node of pressured) {
    if (budget <= 0) break;
    if (movingFrom.has(node.id)) continue;
    const settleUntil = (lastMoveOff.get(node.id) ?? -Infinity) + PRESSURE_SETTLE_MS;
    if (ctx.now < settleUntil) {
      ctx.wake(settleUntil);
      continue;
    }
    const candidates = live
      .filter((t) => t.nodeId === node.id && isUp(t) && !ctx.isDecided(t.id) && t.slot > 0 && !busySlots.has(`${t.serviceId}/${t.slot}`))
      .filter((t) => (t.startedAt ?? t.createdAt) <= ctx.now - MIN_TASK_AGE_MS)
      .sort((a, b) => (a.spec.priority ?? 0) - (b.spec.priority ?? 0) || memoryOf(b) - memoryOf(a) || (a.id < b.id ? -1 : 1));
    for (const old of candidates) {
      const service = ctx.view.service(old.serviceId);
      // Global tasks belong to their node; tasks with node-local volumes stay with their data.
      if (!service || applySpecDefaults(service.spec).mode === 'global' || namedVolumes(service.spec).length > 0) continue;
      const { nodeId: _bound, ...unbound } = old;
      const fits = explainPlacement({ nodes: [...ctx.nodes.values()], tasks: placed, pending: [] }, unbound)
        .filter((e) => e.eligible && e.nodeId !== node.id && ctx.nodes.get(e.nodeId)?.pressure === undefined)
        .map((e) => ctx.nodes.get(e.nodeId)!)
        .sort((a: NodeInfo, b: NodeInfo) => (load.get(a.id) ?? 0) - (load.get(b.id) ?? 0) || (a.name < b.name ? -1 : 1));
      const to = fits[0];
      if (!to) continue;
      const t = newTask(ctx, service, old.slot, to.id, { history: old.restartHistory, streak: old.restartStreak ?? 0 });
      t.replaces = old.id;
      t.moveReason = `pressure: moves ${service.spec.name}.${old.slot} off ${node.name} (${node.pressure!.level} pressure: ${node.pressure!.detail}) to ${to.name}`;
      ctx.create(t, t.moveReason);
      load.set(to.id, (load.get(to.id) ?? 0) + 1);
      budget--;
      break;
    }
  }
}
