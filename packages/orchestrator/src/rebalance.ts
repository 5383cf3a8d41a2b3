/**
 * Rebalance: the moves that even out a replicated service over the nodes it
 * may run on (a node that joined or came back stays empty otherwise:
 * moby#24103, nomad#1635). A move starts a task of the same slot pinned to
 * the emptier node and stops the old one only once the new one is up, so no
 * capacity is lost (see `dedupe` in slot.ts). Decided from state and `now`
 * alone: batches of the service's update parallelism, the update delay
 * between batches, a cluster-wide cap on automatic moves per minute, never
 * while an update runs, and a task that was moved is never chosen again.
 */
import { explainPlacement } from '@shoal/scheduler';
import type { ClusterView } from '@shoal/state';
import { applySpecDefaults, type NodeInfo, type Service, type Task } from '@shoal/types';
import type { Context } from './context.js';
import { globalEligibility } from './eligibility.js';
import { newTask } from './new-task.js';
import { hasEnded, isUp } from './task-facts.js';
import { namedVolumes } from './sticky.js';

/** Most automatic moves the leader starts per minute across the cluster (operator requests are not capped). */
export const AUTO_MOVES_PER_MINUTE = 10;
const MINUTE_MS = 60_000;

export interface RebalanceMove {
  taskId: string;
  service: string;
  slot: number;
  from: string;
  to: string;
  fromName: string;
  toName: string;
}

export interface RebalancePlan {
  service: string;
  /** Running tasks per eligible node name, before and after the moves. */
  before: Record<string, number>;
  after: Record<string, number>;
  moves: RebalanceMove[];
  /** Why nothing is planned for this service now, if that is the case. */
  skipped?: string;
}

function spreadOf(nodes: NodeInfo[], byNode: Map<string, Task[]>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of [...nodes].sort((a, b) => (a.name < b.name ? -1 : 1))) out[n.name] = byNode.get(n.id)?.length ?? 0;
  return out;
}

/** The moves (at most `limit`) that bring every eligible node within one task of the others. */
export function planRebalance(view: ClusterView, service: Service, limit = Infinity, busy: (t: Task) => boolean = () => false): RebalancePlan {
  const spec = applySpecDefaults(service.spec);
  const plan: RebalancePlan = { service: spec.name, before: {}, after: {}, moves: [] };
  if (spec.mode === 'global') return { ...plan, skipped: 'a global service runs one task per node' };
  const volumes = namedVolumes(spec);
  if (volumes.length > 0) return { ...plan, skipped: `its tasks keep data in node-local volumes (${volumes.join(', ')}) and stay with it` };
  const state = service.updateStatus?.state;
  if (state === 'updating' || state === 'rollback_started') return { ...plan, skipped: 'an update is in progress' };
  const nodes = view.nodes();
  const ok = globalEligibility(spec);
  const eligible = nodes.filter((n) => ok(n) && n.availability === 'active');
  const live = view.tasksByService(service.id).filter((t) => t.desiredState === 'running');
  const byNode = new Map<string, Task[]>(eligible.map((n) => [n.id, []]));
  for (const t of live) if (t.nodeId !== undefined) byNode.get(t.nodeId)?.push(t);
  plan.before = spreadOf(eligible, byNode);
  plan.after = plan.before;
  if ((spec.placement?.preferences ?? []).length > 0) return { ...plan, skipped: 'placement preferences spread it by label; rebalance evens out nodes only' };
  if (live.some((t) => !isUp(t) || busy(t))) return { ...plan, skipped: 'waiting until every task is up (a task is starting, failing or being moved)' };
  if (eligible.length < 2) return plan;

  // Every placed task, read only once a move is possible: a balanced service (the common case, each step) costs no scan.
  let placed: Task[] | undefined;
  const tried = new Map<string, Set<string>>();
  const name = new Map(nodes.map((n) => [n.id, n.name]));
  const order = (a: string, b: string) => byNode.get(a)!.length - byNode.get(b)!.length || (name.get(a)! < name.get(b)! ? -1 : 1);
  while (plan.moves.length < limit) {
    const ids = [...byNode.keys()].sort(order);
    const from = ids[ids.length - 1]!;
    const candidates = byNode.get(from)!.filter((t) => t.replaces === undefined).sort((a, b) => b.slot - a.slot);
    const task = candidates[0];
    const to = ids.find((id) => byNode.get(from)!.length - byNode.get(id)!.length > 1 && !(tried.get(task?.id ?? '')?.has(id) ?? false));
    if (!task || to === undefined) break;
    const { nodeId: _bound, ...unbound } = task; // as if it were placed afresh (a placed task may only stay on its node)
    placed ??= view.tasks().filter((t) => t.nodeId !== undefined && !hasEnded(t));
    const fits = explainPlacement({ nodes, tasks: placed, pending: [] }, unbound).find((e) => e.nodeId === to)?.eligible ?? false;
    if (!fits) {
      if (!tried.has(task.id)) tried.set(task.id, new Set());
      tried.get(task.id)!.add(to);
      continue;
    }
    byNode.set(from, byNode.get(from)!.filter((t) => t !== task));
    byNode.get(to)!.push({ ...task, nodeId: to, replaces: task.id });
    plan.moves.push({ taskId: task.id, service: spec.name, slot: task.slot, from, to, fromName: name.get(from)!, toName: name.get(to)! });
  }
  plan.after = spreadOf(eligible, byNode);
  return plan;
}

/** The leader's part: start the next batch of moves for services that want it, or note that a request is done. */
export function rebalanceService(ctx: Context, service: Service): void {
  const spec = applySpecDefaults(service.spec);
  const auto = spec.rebalance === 'auto';
  if (!auto && service.rebalanceRequestedAt === undefined) return;
  const tasks = ctx.view.tasksByService(service.id);
  // The update delay between batches: counted from when the last mover of this service came up.
  const lastUp = Math.max(0, ...tasks.filter((t) => t.replaces !== undefined && t.startedAt !== undefined).map((t) => t.startedAt!));
  if (ctx.now < lastUp + spec.update.delayMs) {
    ctx.wake(lastUp + spec.update.delayMs);
    return;
  }
  let limit = spec.update.parallelism === 0 ? Infinity : spec.update.parallelism;
  if (auto && service.rebalanceRequestedAt === undefined) {
    // Moves started earlier in this same step (by another service) count too: they are not in the view yet.
    const recent = [...ctx.view.tasks(), ...ctx.creates].filter((t) => t.replaces !== undefined && t.createdAt > ctx.now - MINUTE_MS);
    limit = Math.min(limit, AUTO_MOVES_PER_MINUTE - recent.length);
    if (limit <= 0) {
      ctx.wake(Math.min(...recent.map((t) => t.createdAt)) + MINUTE_MS);
      return;
    }
  }
  const plan = planRebalance(ctx.view, service, limit, (t) => ctx.isDecided(t.id));
  if (plan.skipped !== undefined) return;
  if (plan.moves.length === 0) {
    if (service.rebalanceRequestedAt !== undefined) {
      ctx.serviceCommands.push({ type: 'service.rebalance', at: ctx.now, serviceId: service.id, requested: false });
      ctx.plan.updates.push({ service: spec.name, message: `rebalanced: ${JSON.stringify(plan.after)}` });
    }
    return;
  }
  for (const m of plan.moves) {
    const old = tasks.find((t) => t.id === m.taskId)!;
    const t = newTask(ctx, service, m.slot, m.to, { history: old.restartHistory, streak: old.restartStreak ?? 0 });
    t.replaces = m.taskId;
    const why = `rebalance: moves ${m.service}.${m.slot} from ${m.fromName} to ${m.toName}${auto && service.rebalanceRequestedAt === undefined ? ' (rebalance: auto)' : ''}`;
    t.moveReason = why;
    ctx.create(t, why);
  }
}
