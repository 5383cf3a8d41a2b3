/**
 * Rolling update and rollback, decided from state and `now` alone: which
 * tasks were made by this update (current spec, created since it started),
 * how many are still settling, whether too many failed. No timer survives a
 * leader change, and none is needed.
 */
import type { ResolvedServiceSpec, Service, Task, UpdateConfig } from '@shoal/types';
import { sameTaskSpec } from '@shoal/state';
import type { Context } from './context.js';
import { newTask } from './new-task.js';
import type { SlotOutcome } from './slot.js';
import { hasEnded, hasFailed, isUnplaced, isUp } from './task-facts.js';

type Cfg = Required<UpdateConfig>;

export interface ActiveUpdate {
  cfg: Cfg;
  rollingBack: boolean;
  startedAt: number;
}

export function activeUpdate(service: Service, spec: ResolvedServiceSpec): ActiveUpdate | undefined {
  const st = service.updateStatus;
  if (!st) return undefined;
  if (st.state === 'updating') return { cfg: spec.update, rollingBack: false, startedAt: st.startedAt };
  if (st.state === 'rollback_started') return { cfg: spec.rollback, rollingBack: true, startedAt: st.startedAt };
  return undefined;
}

function madeByUpdate(t: Task, service: Service, u: ActiveUpdate): boolean {
  return t.createdAt >= u.startedAt && sameTaskSpec(t.spec, service.spec);
}

function setStatus(ctx: Context, service: Service, state: NonNullable<Service['updateStatus']>['state'], message: string, done: boolean): void {
  const canary = service.updateStatus!.canary;
  const status = { state, message, startedAt: service.updateStatus!.startedAt, ...(canary ? { canary } : {}), ...(done ? { completedAt: ctx.now } : {}) };
  ctx.serviceCommands.push({ type: 'service.updateStatus', at: ctx.now, serviceId: service.id, status, expectVersion: service.version });
  ctx.plan.updates.push({ service: service.spec.name, message });
}

/**
 * Applies the failure action when more updated tasks failed than the update
 * tolerates. Returns true when the service must not be reconciled further in
 * this step (a rollback was proposed: restarting with the failing spec would
 * only add failures).
 */
export function checkUpdateFailures(ctx: Context, service: Service, u: ActiveUpdate, tasks: Task[], total: number): boolean {
  const failed = tasks.filter((t) => madeByUpdate(t, service, u) && hasFailed(t) && t.status.timestamp >= u.startedAt);
  if (failed.length === 0 || failed.length / Math.max(total, 1) <= u.cfg.maxFailureRatio) return false;
  if (u.cfg.failureAction === 'continue') return false;
  const last = failed.reduce((a, b) => (b.status.timestamp > a.status.timestamp ? b : a));
  const why = `${failed.length} of ${total} updated tasks failed (last: ${describeFailure(last)})`;
  if (u.rollingBack) {
    setStatus(ctx, service, 'rollback_paused', `rollback paused: ${why}; fix the service and update it again`, false);
    return false;
  }
  if (u.cfg.failureAction === 'rollback' && service.previousSpec) {
    ctx.serviceCommands.push({ type: 'service.rollback', at: ctx.now, serviceId: service.id, reason: `update rolled back: ${why}`, expectVersion: service.version });
    ctx.plan.updates.push({ service: service.spec.name, message: `rolling back: ${why}` });
    return true;
  }
  setStatus(ctx, service, 'paused', `update paused: ${why}; inspect the tasks, then \`shoal service update\` again or \`shoal service rollback\``, false);
  return false;
}

function describeFailure(t: Task): string {
  if (t.status.state === 'running') return `task ${t.id} is unhealthy`;
  return `task ${t.id} ${t.status.state}: ${t.status.error ?? t.status.message}`;
}

/** Settled: up for at least the inter-batch delay, so the next batch may start. */
function settled(t: Task, cfg: Cfg, now: number): boolean {
  return isUp(t) && now >= t.status.timestamp + cfg.delayMs;
}

export function progressUpdate(ctx: Context, service: Service, u: ActiveUpdate, outcomes: SlotOutcome[]): void {
  const current = (t: Task) => sameTaskSpec(t.spec, service.spec);
  let inFlight = 0;
  let lastUpAt = u.startedAt;
  let allUp = true;
  const candidates: SlotOutcome[] = [];
  for (const o of outcomes) {
    if (!o.slot.wanted) continue;
    if (o.stopping) inFlight++;
    for (const t of o.occupants) {
      if (!current(t)) continue;
      if (!isUp(t)) allUp = false;
      if (t.createdAt >= u.startedAt) {
        if (!settled(t, u.cfg, ctx.now)) {
          inFlight++;
          if (isUp(t)) ctx.wake(t.status.timestamp + u.cfg.delayMs);
        }
        if (isUp(t)) lastUpAt = Math.max(lastUpAt, t.status.timestamp);
      }
    }
    if (o.occupants.length > 0 && !o.occupants.some(current)) candidates.push(o);
    else if (o.occupants.some((t) => !current(t))) allUp = false; // start-first pair not yet resolved
  }
  let budget = u.cfg.parallelism === 0 ? Infinity : u.cfg.parallelism - inFlight;
  for (const o of candidates) {
    const old = o.occupants;
    // A task that runs nothing yet is replaced at once: no service is interrupted.
    const idle = old.every((t) => isUnplaced(t) || hasEnded(t));
    if (!idle && budget <= 0) continue;
    if (!idle) budget--;
    replaceInSlot(ctx, service, u, o, idle);
  }
  if (candidates.length > 0 || inFlight > 0 || !allUp) return;
  const doneAt = lastUpAt + u.cfg.monitorMs;
  if (ctx.now < doneAt) {
    ctx.wake(doneAt);
    return;
  }
  if (u.rollingBack) setStatus(ctx, service, 'rollback_completed', 'rollback completed', true);
  else setStatus(ctx, service, 'completed', 'update completed', true);
}

function replaceInSlot(ctx: Context, service: Service, u: ActiveUpdate, o: SlotOutcome, idle: boolean): void {
  const verb = u.rollingBack ? 'rolled back' : 'updated';
  const startFirst = u.cfg.order === 'start-first' && !idle;
  if (!startFirst) for (const t of o.occupants) ctx.stop(t, 'shutdown', `${verb} to version ${service.version}`, isUnplaced(t) ? 'shutdown' : undefined);
  // Stop-first waits for the old task to stop (next steps fill the slot); an idle one needs no wait.
  if (startFirst || idle) {
    const t = newTask(ctx, service, o.slot.slot, o.slot.nodeId, { history: o.occupants[0]?.restartHistory });
    ctx.create(t, `${verb} to version ${service.version}`);
  }
}
