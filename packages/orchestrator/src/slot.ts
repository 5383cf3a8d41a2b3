/**
 * One slot of a service (a replica number, or a node for global services):
 * failover, drain, scale-down, restart policy, duplicates, and filling an
 * empty slot. Returns what stays live so the rolling update can act on it.
 */
import type { ResolvedServiceSpec, Service, Task } from '@shoal/types';
import { sameTaskSpec } from '@shoal/state';
import type { Context } from './context.js';
import { newTask } from './new-task.js';
import { restartDecision, type RestartCarry } from './restart.js';
import { betterTask, hasEnded, isUnplaced, isUp, nodeCondition } from './task-facts.js';

export interface SlotSpec {
  slot: number;
  nodeId?: string;
  /** The service wants this slot filled (replica within count, or eligible node). */
  wanted: boolean;
  /** A new task may be created here (false on a paused node). */
  canCreate: boolean;
  /** How unwanted live tasks are stopped: replicas beyond the count go away entirely. */
  unwantedAs: 'shutdown' | 'remove';
  unwantedReason: string;
  /** nodeId pins the slot to the node holding its volume data (sticky.ts): a pending task there waits for it. */
  sticky?: boolean;
}

export interface SlotOutcome {
  slot: SlotSpec;
  /** Live tasks kept in the slot after this step's decisions. */
  occupants: Task[];
  /** An old task is still stopping before its stop-first replacement starts. */
  stopping: boolean;
  /** A task was created in this slot in this step. */
  created: boolean;
}

/** Upper bound on waiting for a stop-first predecessor that never reports. */
const STOP_WAIT_SLACK_MS = 5_000;
const DEFAULT_STOP_GRACE_MS = 10_000;

function waitingForStop(ctx: Context, service: Service, spec: ResolvedServiceSpec, tasks: Task[]): Task | undefined {
  const st = service.updateStatus?.state;
  const cfg = st === 'updating' ? spec.update : st === 'rollback_started' ? spec.rollback : undefined;
  if (!cfg || cfg.order !== 'stop-first') return undefined;
  const limit = (spec.stopGracePeriodMs ?? DEFAULT_STOP_GRACE_MS) + STOP_WAIT_SLACK_MS;
  return tasks.find(
    (t) =>
      t.desiredState !== 'running' &&
      !hasEnded(t) &&
      !isUnplaced(t) &&
      nodeCondition(t, ctx.nodes) === 'ok' &&
      !sameTaskSpec(t.spec, service.spec) &&
      ctx.now < t.updatedAt + limit,
  );
}

export function reconcileSlot(ctx: Context, service: Service, spec: ResolvedServiceSpec, s: SlotSpec, tasks: Task[]): SlotOutcome {
  const out: SlotOutcome = { slot: s, occupants: [], stopping: false, created: false };
  let carried: RestartCarry | undefined;
  let replaceReason: string | undefined;
  const leaving: Task[] = [];
  for (const t of tasks) {
    if (t.desiredState !== 'running' || ctx.isDecided(t.id)) continue;
    const cond = nodeCondition(t, ctx.nodes);
    if (cond === 'lost' && s.sticky && t.nodeId === s.nodeId && isUnplaced(t)) {
      out.occupants.push(t); // waits, pending, for the node that holds its data
    } else if (cond === 'lost') {
      ctx.stop(t, 'shutdown', `node ${t.nodeId} is down`, hasEnded(t) ? undefined : 'orphaned');
      replaceReason ??= 'replaces a task on a lost node';
      carried ??= carryOf(t);
    } else if (cond === 'drained') {
      const deadline = ctx.nodes.get(t.nodeId!)?.drainDeadline;
      if (s.wanted && deadline !== undefined && ctx.now < deadline && !hasEnded(t)) {
        // Drain with a deadline: keep serving until the replacement is up (or the deadline passes).
        leaving.push(t);
        ctx.wake(deadline);
      } else ctx.stop(t, 'shutdown', deadline !== undefined && ctx.now >= deadline ? `node ${t.nodeId} is drained and its deadline passed` : `node ${t.nodeId} is drained`);
      replaceReason ??= 'replaces a task on a drained node';
      carried ??= carryOf(t);
    } else if (!s.wanted) {
      ctx.stop(t, s.unwantedAs, s.unwantedReason);
    } else if (hasEnded(t)) {
      const d = restartDecision(t, spec, ctx.now);
      if (d.kind === 'now') {
        ctx.stop(t, 'shutdown', `restarting after ${t.status.state}`);
        replaceReason ??= `restarts a ${t.status.state} task`;
        carried = d.carry;
      } else {
        if (d.kind === 'later') ctx.wake(d.at);
        out.occupants.push(t);
      }
    } else out.occupants.push(t);
  }
  if (!s.wanted) return out;
  if (out.occupants.length > 1) out.occupants = dedupe(ctx, service, out.occupants);
  if (leaving.length > 0 && out.occupants.some(isUp)) for (const t of leaving) ctx.stop(t, 'shutdown', `moved off drained node ${t.nodeId}`);
  if (out.occupants.length > 0) return out;
  if (replaceReason === undefined) {
    const old = waitingForStop(ctx, service, spec, tasks);
    if (old) {
      out.stopping = true;
      ctx.wake(old.updatedAt + (spec.stopGracePeriodMs ?? DEFAULT_STOP_GRACE_MS) + STOP_WAIT_SLACK_MS);
      return out;
    }
  }
  if (!s.canCreate) return out;
  const t = newTask(ctx, service, s.slot, s.nodeId, carried);
  ctx.create(t, replaceReason ?? 'fills an empty slot');
  out.occupants.push(t);
  out.created = true;
  return out;
}

/**
 * More than one live task in a slot: a start-first update in progress, or a
 * replaced task that came back. Keep the current-spec task once it is up;
 * until then keep it beside one old running task; otherwise keep the best.
 */
function dedupe(ctx: Context, service: Service, live: Task[]): Task[] {
  const mover = live.find((t) => t.replaces !== undefined && live.some((o) => o.id === t.replaces));
  if (mover) {
    // A rebalance move: the old task stops once the new one is up; a move that cannot start is dropped.
    const old = live.find((o) => o.id === mover.replaces)!;
    const rest = live.filter((t) => t !== old && t !== mover);
    let kept: Task[];
    if (isUp(mover)) {
      ctx.stop(old, 'shutdown', `moved to node ${mover.nodeId} (replaced by task ${mover.id})`);
      kept = [mover];
    } else if (hasEnded(mover) || (isUnplaced(mover) && mover.pendingReason !== undefined)) {
      ctx.stop(mover, 'shutdown', `move abandoned: ${mover.pendingReason ?? mover.status.error ?? mover.status.message}`);
      kept = [old];
    } else kept = [mover, old];
    return rest.length === 0 ? kept : [...kept, ...dedupe(ctx, service, rest)];
  }
  const sorted = [...live].sort(betterTask);
  const current = sorted.filter((t) => sameTaskSpec(t.spec, service.spec));
  const keep: Task[] = [];
  if (current.length > 0 && isUp(current[0])) keep.push(current[0]);
  else if (current.length > 0 && !hasEnded(current[0])) {
    keep.push(current[0]);
    const old = sorted.find((t) => !current.includes(t) && isUp(t));
    if (old) keep.push(old);
  } else keep.push(sorted[0]);
  for (const t of sorted) if (!keep.includes(t)) ctx.stop(t, 'shutdown', 'superseded by another task in the same slot');
  return keep;
}

/** A task replaced for its node's sake (not a restart) passes its restart record on unchanged. */
function carryOf(t: Task): RestartCarry {
  return { history: t.restartHistory, streak: t.restartStreak ?? 0 };
}
