/**
 * Jobs (Swarm's replicated-job and global-job modes, Nomad's batch and
 * periodic jobs): tasks run to completion. Each run is an iteration of the
 * service; a task that exits 0 is that slot's result for the run and is
 * never restarted or counted as a failure; a failed task is retried by the
 * restart policy (default on-failure) until it succeeds or the policy gives
 * up. A replicated-job fills slots 1..completions, at most `parallelism` at
 * once; a global-job runs one task per eligible node. A schedule starts the
 * next run at its next cron tick (UTC, the leader's clock) once the current
 * run has finished: runs never overlap.
 */
import { nextCronTime, type ResolvedServiceSpec, type Service, type Task } from '@shoal/types';
import type { Context } from './context.js';
import { globalEligibility } from './eligibility.js';
import { newTask } from './new-task.js';
import { restartDecision, type RestartCarry } from './restart.js';
import { hasEnded, nodeCondition } from './task-facts.js';

type SlotState = 'done' | 'failed' | 'active' | 'waiting' | 'start';

interface JobSlot {
  slot: number;
  nodeId?: string;
  /** False on a paused node: what runs there may finish, nothing new starts. */
  canCreate: boolean;
}

/** A completed run's result for one slot: exited 0. */
export function completedTask(t: Task): boolean {
  return t.status.state === 'complete' || (t.status.state === 'shutdown' && t.status.exitCode === 0);
}

export function reconcileJob(ctx: Context, service: Service, spec: ResolvedServiceSpec): void {
  const run = service.job ?? { iteration: 1, startedAt: service.createdAt };
  const current: Task[] = [];
  for (const t of ctx.view.tasksByService(service.id)) {
    if (t.desiredState !== 'running' || ctx.isDecided(t.id)) continue;
    // Earlier runs: a finished task goes to history, a live one is superseded.
    if ((t.jobIteration ?? 0) !== run.iteration) ctx.stop(t, 'shutdown', hasEnded(t) ? `run ${t.jobIteration ?? 0} is over` : `superseded by run ${run.iteration}`);
    else current.push(t);
  }
  let finished = true;
  if (run.iteration > 0) {
    const slots = jobSlots(ctx, spec);
    const inSlot = (s: JobSlot) => (t: Task) => t.slot === s.slot && (s.nodeId === undefined || t.nodeId === s.nodeId);
    for (const t of current) {
      if (!hasEnded(t) && !slots.some((s) => inSlot(s)(t))) ctx.stop(t, 'shutdown', `node ${t.nodeId} no longer runs this job`);
    }
    const states = slots.map((s) => slotState(ctx, spec, current.filter(inSlot(s))));
    const global = spec.mode === 'global-job';
    let budget = global ? Infinity : (spec.job?.parallelism ?? 1) - states.filter((s) => s.state === 'active').length;
    slots.forEach((s, i) => {
      const st = states[i];
      if (st.state !== 'done' && st.state !== 'failed') finished = false;
      if (st.state !== 'start' || !s.canCreate || budget <= 0) return;
      budget--;
      const t = newTask(ctx, service, s.slot, s.nodeId, st.carry);
      t.jobIteration = run.iteration;
      ctx.create(t, st.reason ?? `run ${run.iteration}`);
    });
  }
  const schedule = spec.job?.schedule;
  if (!schedule || !finished) return;
  let due: number;
  try {
    due = nextCronTime(schedule, run.startedAt);
  } catch {
    return; // Validated at the API; a schedule that no longer parses never fires.
  }
  if (ctx.now < due) {
    ctx.wake(due);
    return;
  }
  ctx.serviceCommands.push({ type: 'service.jobRun', at: ctx.now, serviceId: service.id, iteration: run.iteration + 1 });
  ctx.plan.updates.push({ service: service.spec.name, message: `run ${run.iteration + 1} started by its schedule` });
}

function jobSlots(ctx: Context, spec: ResolvedServiceSpec): JobSlot[] {
  if (spec.mode === 'global-job') {
    const eligible = globalEligibility(spec);
    return [...ctx.nodes.values()].filter(eligible).map((n) => ({ slot: 0, nodeId: n.id, canCreate: n.availability === 'active' }));
  }
  const n = spec.job?.completions ?? 1;
  return Array.from({ length: n }, (_, i) => ({ slot: i + 1, canCreate: true }));
}

/** Where one slot of the current run stands, stopping or retrying its tasks as needed. */
function slotState(ctx: Context, spec: ResolvedServiceSpec, tasks: Task[]): { state: SlotState; carry?: RestartCarry; reason?: string } {
  if (tasks.some(completedTask)) return { state: 'done' };
  let carry: RestartCarry | undefined;
  let reason: string | undefined;
  let result: SlotState = 'start';
  for (const t of tasks) {
    const cond = nodeCondition(t, ctx.nodes);
    if (cond !== 'ok' && !hasEnded(t)) {
      // Its node is gone or drained: not the task's failure, run it again elsewhere.
      ctx.stop(t, 'shutdown', cond === 'lost' ? `node ${t.nodeId} is down` : `node ${t.nodeId} is drained`, cond === 'lost' ? 'orphaned' : undefined);
      reason = `replaces a task on a ${cond} node`;
      carry = { history: t.restartHistory, streak: t.restartStreak ?? 0 };
      continue;
    }
    if (!hasEnded(t)) {
      result = 'active';
      continue;
    }
    const d = restartDecision(t, spec, ctx.now);
    if (d.kind === 'now') {
      ctx.stop(t, 'shutdown', `retrying after ${t.status.state}`);
      reason = `retries a ${t.status.state} task`;
      carry = d.carry;
    } else if (d.kind === 'later') {
      ctx.wake(d.at);
      if (result !== 'active') result = 'waiting';
    } else if (result !== 'active') result = 'failed';
  }
  return result === 'start' ? { state: 'start', ...(carry ? { carry } : {}), ...(reason ? { reason } : {}) } : { state: result };
}
