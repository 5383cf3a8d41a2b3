/**
 * `service update --dry-run`: what an update would replace and in how many
 * batches, computed from the state without changing anything (Nomad's
 * `job plan`).
 */
import { applySpecDefaults, ErrorCode, ShoalError, type ServiceSpec } from '@shoal/types';
import { sameTaskSpec, specFingerprint, type ClusterView } from '@shoal/state';

export interface UpdatePlan {
  service: string;
  fromVersion: number;
  /** Top-level spec fields that change. */
  changes: string[];
  /** Whether running tasks must be replaced (false when only replicas or policies change). */
  replacesTasks: boolean;
  replace: { taskId: string; slot: number; nodeId?: string }[];
  /** Tasks added (positive) or removed (negative) by a replica change. */
  scaleBy: number;
  parallelism: number;
  order: 'stop-first' | 'start-first';
  batches: number;
  /** Least time the update takes: delays between batches plus the final monitor period. */
  minDurationMs: number;
}

function changedFields(a: ServiceSpec, b: ServiceSpec): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out: string[] = [];
  for (const k of [...keys].sort()) {
    const x = (a as Record<string, unknown>)[k];
    const y = (b as Record<string, unknown>)[k];
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push(k);
  }
  return out;
}

export function planUpdate(state: ClusterView, name: string, newSpec: ServiceSpec): UpdatePlan {
  const svc = state.service(name);
  if (!svc) throw new ShoalError(ErrorCode.NotFound, `service ${name} not found; list services with \`shoal service ls\``);
  const oldSpec = applySpecDefaults(svc.spec);
  const next = applySpecDefaults(newSpec);
  const live = state.tasksByService(svc.id).filter((t) => t.desiredState === 'running').sort((a, b) => a.slot - b.slot || (a.nodeId ?? '').localeCompare(b.nodeId ?? ''));
  const replacesTasks = !sameTaskSpec(svc.spec, newSpec);
  const global = next.mode === 'global';
  const newReplicas = next.replicas ?? 1;
  const kept = global ? live : live.filter((t) => t.slot <= newReplicas);
  const replace = replacesTasks ? kept.filter((t) => specFingerprint(t.spec) !== specFingerprint(newSpec)).map((t) => (t.nodeId ? { taskId: t.id, slot: t.slot, nodeId: t.nodeId } : { taskId: t.id, slot: t.slot })) : [];
  const p = next.update.parallelism;
  const batches = replace.length === 0 ? 0 : p === 0 ? 1 : Math.ceil(replace.length / p);
  return {
    service: svc.spec.name,
    fromVersion: svc.version,
    changes: changedFields(oldSpec, next),
    replacesTasks,
    replace,
    scaleBy: global ? 0 : newReplicas - (oldSpec.replicas ?? 1),
    parallelism: p,
    order: next.update.order,
    batches,
    minDurationMs: batches === 0 ? 0 : (batches - 1) * next.update.delayMs + next.update.monitorMs,
  };
}
