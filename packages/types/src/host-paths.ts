/**
 * Bind-mount sources a task needs on its node. Docker refuses to start a
 * container whose bind source is missing, so instead of failing there, nodes
 * report which of the cluster's bind sources they have (NodeInfo.hostPaths)
 * and the scheduler places a task only where all of its own exist.
 */
import type { ServiceSpec } from './spec.js';

/** At most this many paths per node report; a longer list is cut (sorted), so a few nodes may look as if they lack a path. */
export const MAX_HOST_PATHS = 256;

/** The host paths a task of this spec binds (Docker tasks; the exec driver mounts nothing). */
export function bindSources(spec: Pick<ServiceSpec, 'driver' | 'mounts'>): string[] {
  if ((spec.driver ?? 'docker') !== 'docker') return [];
  const out = new Set<string>();
  for (const m of spec.mounts ?? []) if (m.type === 'bind' && m.source) out.add(m.source);
  return [...out];
}
