/** Service commands: create, update (keeps the previous spec), scale, rollback, remove, update status. */
import { ErrorCode, type Service, type ServiceSpec, type UpdateStatus } from '@shoal/types';
import type { CommandOf, CommandResult } from './commands.js';
import { sameTaskSpec } from './fingerprint.js';
import { checkServiceLimits } from './limits.js';
import { fail, ok } from './result.js';
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
  store.putService({ id: cmd.serviceId, spec: cmd.spec, version: 1, createdAt: cmd.at, updatedAt: cmd.at });
  return ok({ id: cmd.serviceId });
}

function modeOf(spec: ServiceSpec): string {
  return spec.mode ?? 'replicated';
}

export function applyServiceUpdate(store: Store, cmd: CommandOf<'service.update'>): CommandResult {
  const s = findService(store, cmd.serviceId);
  if (!s) return notFound(cmd.serviceId);
  if (cmd.expectVersion !== undefined && cmd.expectVersion !== s.version) return stale(s, cmd.expectVersion);
  if (cmd.spec.name !== s.spec.name) return fail(ErrorCode.Conflict, `a service cannot be renamed (from "${s.spec.name}" to "${cmd.spec.name}"); create a new one`);
  if (modeOf(cmd.spec) !== modeOf(s.spec)) return fail(ErrorCode.Conflict, `service mode cannot change from ${modeOf(s.spec)} to ${modeOf(cmd.spec)}; remove the service and create it again`);
  const overLimit = checkServiceLimits(store, cmd.spec, s.id);
  if (overLimit) return overLimit;
  const next: Service = { ...s, spec: cmd.spec, previousSpec: s.spec, version: s.version + 1, updatedAt: cmd.at };
  if (!sameTaskSpec(cmd.spec, s.spec)) next.updateStatus = { state: 'updating', message: 'update in progress', startedAt: cmd.at };
  store.putService(next);
  return ok({ id: s.id });
}

export function applyServiceScale(store: Store, cmd: CommandOf<'service.scale'>): CommandResult {
  const s = findService(store, cmd.serviceId);
  if (!s) return notFound(cmd.serviceId);
  if (modeOf(s.spec) === 'global') return fail(ErrorCode.Conflict, `service ${s.spec.name} is global (one task per node) and cannot be scaled`);
  const overLimit = cmd.replicas > (s.spec.replicas ?? 1) ? checkServiceLimits(store, { ...s.spec, replicas: cmd.replicas }, s.id) : null;
  if (overLimit) return overLimit;
  store.putService({ ...s, spec: { ...s.spec, replicas: cmd.replicas }, version: s.version + 1, updatedAt: cmd.at });
  return ok({ id: s.id });
}

/** Swaps spec and previousSpec, so a second rollback goes forward again (Docker's behaviour). */
export function applyServiceRollback(store: Store, cmd: CommandOf<'service.rollback'>): CommandResult {
  const s = findService(store, cmd.serviceId);
  if (!s) return notFound(cmd.serviceId);
  if (cmd.expectVersion !== undefined && cmd.expectVersion !== s.version) return stale(s, cmd.expectVersion);
  if (!s.previousSpec) return fail(ErrorCode.Conflict, `service ${s.spec.name} has no previous spec to roll back to`);
  const status: UpdateStatus = { state: 'rollback_started', message: cmd.reason ?? 'rollback requested', startedAt: cmd.at };
  store.putService({ ...s, spec: s.previousSpec, previousSpec: s.spec, version: s.version + 1, updatedAt: cmd.at, updateStatus: status });
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

export function applyServiceRebalance(store: Store, cmd: CommandOf<'service.rebalance'>): CommandResult {
  const s = findService(store, cmd.serviceId);
  if (!s) return notFound(cmd.serviceId);
  const next: Service = { ...s, updatedAt: cmd.at };
  if (cmd.requested) next.rebalanceRequestedAt = cmd.at;
  else delete next.rebalanceRequestedAt;
  store.putService(next);
  return ok({ id: s.id });
}
