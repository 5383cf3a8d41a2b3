/**
 * Service version history: every spec a service has had, newest last,
 * bounded by the spec's `historyLimit` (Kubernetes' revisionHistoryLimit),
 * so `shoal service history` can show who changed what and `rollback --to`
 * can restore any kept version, not only the previous one.
 */
import type { Service, ServiceSpec, ServiceVersion } from '@shoal/types';
import type { Store } from './store.js';

export const DEFAULT_HISTORY_LIMIT = 10;

export function historyLimitOf(spec: ServiceSpec): number {
  return Math.max(1, spec.historyLimit ?? DEFAULT_HISTORY_LIMIT);
}

/** Records `service` (already stored at its new version) as the newest kept version. */
export function recordVersion(store: Store, service: Service, at: number, by: string | undefined, change: string): void {
  const kept = store.serviceHistory.get(service.id) ?? [];
  const entry: ServiceVersion = { version: service.version, spec: service.spec, at, change };
  if (by !== undefined) entry.by = by;
  const next = [...kept, entry];
  store.serviceHistory.set(service.id, next.slice(Math.max(0, next.length - historyLimitOf(service.spec))));
}

/** One field that differs between two specs, by dotted path (e.g. `update.parallelism`, `env.MODE`). */
export interface SpecChange {
  path: string;
  from: unknown;
  to: unknown;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** What changed from `a` to `b`: objects compared key by key, lists and values as a whole. */
export function specChanges(a: ServiceSpec | undefined, b: ServiceSpec): SpecChange[] {
  const out: SpecChange[] = [];
  walk(a ?? {}, b, '', out);
  return out;
}

function walk(a: unknown, b: unknown, path: string, out: SpecChange[]): void {
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      walk(a[k], b[k], path ? `${path}.${k}` : k, out);
    }
    return;
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  out.push({ path, from: a ?? null, to: b ?? null });
}
