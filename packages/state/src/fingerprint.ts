/**
 * Whether two specs run the same container. Replicas and the update,
 * rollback and restart policies change how the orchestrator acts, not what a
 * task runs, so changing them replaces no task (swarmkit's "dirty" check).
 */
import { applySpecDefaults, type ServiceSpec } from '@shoal/types';

const IGNORED = new Set(['replicas', 'update', 'rollback', 'restart', 'volumePolicy', 'rebalance', 'priority', 'historyLimit']);
const cache = new WeakMap<object, string>();

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A string equal for two specs exactly when their tasks would run the same thing. Cached per spec object. */
export function specFingerprint(spec: ServiceSpec): string {
  const hit = cache.get(spec);
  if (hit !== undefined) return hit;
  const resolved = applySpecDefaults(spec) as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(resolved)) if (!IGNORED.has(k)) kept[k] = v;
  const fp = canonical(kept);
  cache.set(spec, fp);
  return fp;
}

export function sameTaskSpec(a: ServiceSpec, b: ServiceSpec): boolean {
  return a === b || specFingerprint(a) === specFingerprint(b);
}
