/** Service commands: create, update (keeps the previous spec and the version history), scale, rollback, remove, update status. */
import { ErrorCode, isJobMode, type JobRun, type Service, type ServiceSpec, type UpdateStatus } from '@shoal/types';
import type { CommandOf, CommandResult } from './commands.js';
import { sameTaskSpec } from './fingerprint.js';
import { checkServiceLimits } from './limits.js';
import { fail, ok } from './result.js';
import { recordVersion } from './service-history.js';
import type { Store } from './store.js';

export function findService(store: Store, idOrName: string): Service | undefined {
  return store.services.get(idOrName) ?? store.services.get(store.serviceNames.get(idOrName) ?? '');
}

const notFound = (id: string) => fail(ErrorCode.NotFound, `service ${id} not found; list services with \`shoal service ls\``);
const stale = (s: Service, expect: number) =>
  fail(ErrorCode.Conflict, `service ${s.spec.name} is at version ${s.version}, not ${expect}; it changed meanwhile: inspect it and retry`);

export function applyServiceCreate(store: Store, cmd: CommandOf<'service.create'>): CommandResult {
  if (store.services.has(cmd.serviceId)) return fail(ErrorCode.Conflict, `service id ${cmd.serviceId} already exists`);
  if (store.serviceNames.has(cmd.spec.name)) return fail(ErrorCode.Conflict, `a service named "${cmd.spec.name}" already exists; update it or pick another name`);
  const overLimit = checkServiceLimits(store, cmd.spec);
  if (overLimit) return overLimit;
  const created = withJob({ id: cmd.serviceId, spec: cmd.spec, version: 1, createdAt: cmd.at, updatedAt: cmd.at }, jobAfterChange(undefined, cmd.spec, cmd.at));
  store.putService(created);
  recordVersion(store, created, cmd.at, cmd.by, 'created');
  return ok({ id: cmd.serviceId });
}

function modeOf(spec: ServiceSpec): string {
  return spec.mode ?? 'replicated';
}

/**
 * A job's run after its spec changed: an unscheduled job runs again with the
 * new spec (Swarm re-runs an updated job); a scheduled one waits for its
 * next tick. Not a job: undefined.
 */
function jobAfterChange(s: Service | undefined, spec: ServiceSpec, at: number): JobRun | undefined {
  if (!isJobMode(spec.mode)) return undefined;
  const scheduled = spec.job?.schedule !== undefined;
  if (!s?.job) return { iteration: scheduled ? 0 : 1, startedAt: at };
  return scheduled ? s.job : { iteration: s.job.iteration + 1, startedAt: at };
}

/** The status of an update that replaces tasks: with canaries, it first waits for them to be promoted. */
function startUpdate(spec: ServiceSpec, at: number): UpdateStatus {
  const canaries = (spec.mode ?? 'replicated') === 'replicated' ? (spec.update?.canary ?? 0) : 0;
  if (canaries === 0) return { state: 'updating', message: 'update in progress', startedAt: at };
  return { state: 'updating', canary: 'waiting', message: `canary: starting ${canaries} new task(s) beside the old ones`, startedAt: at };
}

/** Sets or clears `job` on a service being stored. */
function withJob(next: Service, job: JobRun | undefined): Service {
  if (job) next.job = job;
  else delete next.job;
  return next;
}

export function applyServiceUpdate(store: Store, cmd: CommandOf<'service.update'>): CommandResult {
  const s = findService(store, cmd.serviceId);
  if (!s) return notFound(cmd.serviceId);
  if (cmd.expectVersion !== undefined && cmd.expectVersion !== s.version) return stale(s, cmd.expectVersion);
  if (cmd.spec.name !== s.spec.name) return fail(ErrorCode.Conflict, `a service cannot be renamed (from "${s.spec.name}" to "${cmd.spec.name}"); create a new one`);
  if (modeOf(cmd.spec) !== modeOf(s.spec)) return fail(ErrorCode.Conflict, `service mode cannot change from ${modeOf(s.spec)} to ${modeOf(cmd.spec)}; remove the service and create it again`);
  const overLimit = checkServiceLimits(store, cmd.spec, s.id);
  if (overLimit) return overLimit;
  const next = withJob({ ...s, spec: cmd.spec, previousSpec: s.spec, version: s.version + 1, updatedAt: cmd.at }, jobAfterChange(s, cmd.spec, cmd.at));
  // A job has runs, not a rolling update.
  if (!sameTaskSpec(cmd.spec, s.spec) && !next.job) next.updateStatus = startUpdate(cmd.spec, cmd.at);
  store.putService(next);
  recordVersion(store, next, cmd.at, cmd.by, 'updated');
  return ok({ id: s.id });
}

export function applyServiceScale(store: Store, cmd: CommandOf<'service.scale'>): CommandResult {
  const s = findService(store, cmd.serviceId);
  if (!s) return notFound(cmd.serviceId);
  if (modeOf(s.spec) === 'global') return fail(ErrorCode.Conflict, `service ${s.spec.name} is global (one task per node) and cannot be scaled`);
  if (isJobMode(s.spec.mode)) return fail(ErrorCode.Conflict, `${s.spec.name} is a job; change its completions with \`shoal job run\` (it runs again)`);
  const overLimit = cmd.replicas > (s.spec.replicas ?? 1) ? checkServiceLimits(store, { ...s.spec, replicas: cmd.replicas }, s.id) : null;
  if (overLimit) return overLimit;
  const next: Service = { ...s, spec: { ...s.spec, replicas: cmd.replicas }, version: s.version + 1, updatedAt: cmd.at };
  store.putService(next);
  recordVersion(store, next, cmd.at, cmd.by, `scaled to ${cmd.replicas}`);
  return ok({ id: s.id });
}

/**
 * Without a target, swaps spec and previousSpec, so a second rollback goes
 * forward again (Docker's behaviour). With `toVersion`, restores that kept
 * version's spec as a new version, through the rollback settings.
 */
export function applyServiceRollback(store: Store, cmd: CommandOf<'service.rollback'>): CommandResult {
  const s = findService(store, cmd.serviceId);
  if (!s) return notFound(cmd.serviceId);
  if (cmd.expectVersion !== undefined && cmd.expectVersion !== s.version) return stale(s, cmd.expectVersion);
  let target = s.previousSpec;
  if (cmd.toVersion !== undefined) {
    const kept = store.serviceHistory.get(s.id) ?? [];
    target = kept.find((v) => v.version === cmd.toVersion)?.spec;
    if (!target) {
      const have = kept.map((v) => v.version).join(', ') || 'none';
      return fail(ErrorCode.NotFound, `service ${s.spec.name} has no kept version ${cmd.toVersion} (kept: ${have}); see \`shoal service history ${s.spec.name}\``);
    }
    if (cmd.toVersion === s.version) return fail(ErrorCode.Conflict, `service ${s.spec.name} is already at version ${s.version}`);
  }
  if (!target) return fail(ErrorCode.Conflict, `service ${s.spec.name} has no previous spec to roll back to`);
  const reason = cmd.reason ?? (cmd.toVersion !== undefined ? `rollback to version ${cmd.toVersion} requested` : 'rollback requested');
  const next = withJob({ ...s, spec: target, previousSpec: s.spec, version: s.version + 1, updatedAt: cmd.at }, jobAfterChange(s, target, cmd.at));
  // A target that runs the same tasks (only replicas or policies differ) needs no rolling replacement; a job re-runs instead.
  if ((!sameTaskSpec(target, s.spec) || cmd.toVersion === undefined) && !next.job) next.updateStatus = { state: 'rollback_started', message: reason, startedAt: cmd.at } satisfies UpdateStatus;
  store.putService(next);
  recordVersion(store, next, cmd.at, cmd.by, cmd.toVersion !== undefined ? `rolled back to version ${cmd.toVersion}` : 'rolled back');
  return ok({ id: s.id });
}

/** Removing a service asks every task of it to go; the orchestrator deletes them once stopped. */
export function applyServiceRemove(store: Store, cmd: CommandOf<'service.remove'>): CommandResult {
  const s = findService(store, cmd.serviceId);
  if (!s) return notFound(cmd.serviceId);
  store.deleteService(s.id);
  for (const t of store.tasksIn(store.tasksByService, s.id)) {
    if (t.desiredState !== 'remove') store.putTask({ ...t, desiredState: 'remove', updatedAt: cmd.at });
  }
  return ok({ id: s.id });
}

export function applyServiceUpdateStatus(store: Store, cmd: CommandOf<'service.updateStatus'>): CommandResult {
  const s = findService(store, cmd.serviceId);
  if (!s) return notFound(cmd.serviceId);
  if (cmd.expectVersion !== undefined && cmd.expectVersion !== s.version) return stale(s, cmd.expectVersion);
  store.putService({ ...s, updateStatus: { ...cmd.status }, updatedAt: cmd.at });
  return ok({ id: s.id });
}

/** A job's next run (from its schedule): only the next iteration, so a repeated proposal is refused, not run twice. */
export function applyServiceJobRun(store: Store, cmd: CommandOf<'service.jobRun'>): CommandResult {
  const s = findService(store, cmd.serviceId);
  if (!s) return notFound(cmd.serviceId);
  if (!s.job) return fail(ErrorCode.Conflict, `service ${s.spec.name} is not a job`);
  if (cmd.iteration !== s.job.iteration + 1) return fail(ErrorCode.Conflict, `job ${s.spec.name} is at run ${s.job.iteration}; run ${cmd.iteration} is not the next one`);
  store.putService({ ...s, job: { iteration: cmd.iteration, startedAt: cmd.at }, updatedAt: cmd.at });
  return ok({ id: s.id });
}

/**
 * Promotes an update's canaries: each live canary takes one of the first
 * replica slots (the old task there is then superseded by it), and the
 * rolling update carries on with the rest.
 */
export function applyServicePromote(store: Store, cmd: CommandOf<'service.promote'>): CommandResult {
  const s = findService(store, cmd.serviceId);
  if (!s) return notFound(cmd.serviceId);
  if (cmd.expectVersion !== undefined && cmd.expectVersion !== s.version) return stale(s, cmd.expectVersion);
  const st = s.updateStatus;
  if (st?.state !== 'updating' || st.canary !== 'waiting') return fail(ErrorCode.Conflict, `service ${s.spec.name} has no canaries waiting to be promoted`);
  const canaries = store
    .tasksIn(store.tasksByService, s.id)
    .filter((t) => t.canary && t.desiredState === 'running' && sameTaskSpec(t.spec, s.spec))
    .sort((a, b) => a.slot - b.slot);
  const replicas = s.spec.replicas ?? 1;
  canaries.slice(0, replicas).forEach((t, i) => store.putTask({ ...t, slot: i + 1, updatedAt: cmd.at }));
  store.putService({ ...s, updateStatus: { ...st, canary: 'promoted', message: `${canaries.length} canary task(s) promoted; update in progress` }, updatedAt: cmd.at });
  return ok({ id: s.id });
}

export function applyServiceRebalance(store: Store, cmd: CommandOf<'service.rebalance'>): CommandResult {
  const s = findService(store, cmd.serviceId);
  if (!s) return notFound(cmd.serviceId);
  const next: Service = { ...s, updatedAt: cmd.at };
  if (cmd.requested) next.rebalanceRequestedAt = cmd.at;
  else delete next.rebalanceRequestedAt;
  store.putService(next);
  return ok({ id: s.id });
}
