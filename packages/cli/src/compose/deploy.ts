/** Compose `deploy` (replicas, mode, resources, placement, update/rollback, restart policy). */
import type { ServiceSpec, UpdateConfig } from '@shoal/types';
import { parseDuration, parseSize } from '../units.js';
import { fail, isDoc, mapOrList, type Doc } from './common.js';

const DEPLOY_KEYS = new Set(['endpoint_mode', 'replicas', 'mode', 'resources', 'placement', 'update_config', 'rollback_config', 'restart_policy', 'labels']);

function updateConfig(value: unknown, where: string, warn: (m: string) => void): UpdateConfig {
  if (!isDoc(value)) throw fail(`${where}: expected a map`);
  const u: UpdateConfig = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'parallelism') u.parallelism = Number(v);
    else if (k === 'delay') u.delayMs = parseDuration(String(v), `${where}.delay`);
    else if (k === 'monitor') u.monitorMs = parseDuration(String(v), `${where}.monitor`);
    else if (k === 'failure_action') u.failureAction = v as UpdateConfig['failureAction'];
    else if (k === 'max_failure_ratio') u.maxFailureRatio = Number(v);
    else if (k === 'order') u.order = v as UpdateConfig['order'];
    else warn(`${where}.${k} is not supported; ignored`);
  }
  return u;
}

function resources(value: unknown, where: string, warn: (m: string) => void): ServiceSpec['resources'] {
  if (!isDoc(value)) throw fail(`${where}: expected a map`);
  const out: NonNullable<ServiceSpec['resources']> = {};
  for (const kind of ['limits', 'reservations'] as const) {
    const r = value[kind];
    if (r === undefined) continue;
    if (!isDoc(r)) throw fail(`${where}.${kind}: expected a map`);
    out[kind] = {};
    for (const [k, v] of Object.entries(r)) {
      if (k === 'cpus') out[kind].cpus = Number(v);
      else if (k === 'memory') out[kind].memoryBytes = parseSize(v as string, `${where}.${kind}.memory`);
      else warn(`${where}.${kind}.${k} is not supported; ignored`);
    }
  }
  return out;
}

export function deploy(spec: ServiceSpec, d: unknown, where: string, warn: (m: string) => void): void {
  if (!isDoc(d)) throw fail(`${where}: expected a map`);
  for (const k of Object.keys(d)) if (!DEPLOY_KEYS.has(k)) warn(`${where}.${k} is not supported; ignored`);
  if (d.mode !== undefined) spec.mode = d.mode as ServiceSpec['mode'];
  if (d.endpoint_mode !== undefined) spec.endpointMode = d.endpoint_mode as ServiceSpec['endpointMode'];
  if (d.replicas !== undefined) spec.replicas = Number(d.replicas);
  if (d.resources !== undefined) spec.resources = resources(d.resources, `${where}.resources`, warn);
  if (d.update_config !== undefined) spec.update = updateConfig(d.update_config, `${where}.update_config`, warn);
  if (d.rollback_config !== undefined) spec.rollback = updateConfig(d.rollback_config, `${where}.rollback_config`, warn);
  if (d.labels !== undefined) spec.labels = { ...spec.labels, ...mapOrList(d.labels, `${where}.labels`) };
  if (isDoc(d.placement)) {
    const p = d.placement;
    spec.placement = {};
    if (Array.isArray(p.constraints)) spec.placement.constraints = p.constraints.map(String);
    if (Array.isArray(p.preferences)) spec.placement.preferences = p.preferences.map((x) => ({ spread: String((x as Doc).spread) }));
    if (p.max_replicas_per_node !== undefined) spec.placement.maxReplicasPerNode = Number(p.max_replicas_per_node);
  }
  if (isDoc(d.restart_policy)) {
    const r = d.restart_policy;
    spec.restart = {};
    if (r.condition !== undefined) spec.restart.condition = r.condition as 'none' | 'on-failure' | 'any';
    if (r.delay !== undefined) spec.restart.delayMs = parseDuration(String(r.delay), `${where}.restart_policy.delay`);
    if (r.max_attempts !== undefined) spec.restart.maxAttempts = Number(r.max_attempts);
    if (r.window !== undefined) spec.restart.windowMs = parseDuration(String(r.window), `${where}.restart_policy.window`);
  }
}
