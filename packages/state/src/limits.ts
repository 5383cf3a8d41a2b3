/**
 * Cluster-level ceilings on what services may ask for, checked when a
 * service is created, scaled or updated. Checked while applying (not only
 * in the API) so no path into the log, forwarded or local, can skip them,
 * and concurrent creates cannot both squeeze under the limit.
 */
import { DEFAULT_LIMITS, ErrorCode, type ServiceSpec } from '@shoal/types';
import type { CommandResult } from './commands.js';
import { fail } from './result.js';
import type { Store } from './store.js';

/** Tasks a spec asks for: its replicas, one per node for a global service or job, or a replicated-job's completions (each stays as its slot's result). */
function tasksAskedFor(spec: ServiceSpec, nodes: number): number {
  const mode = spec.mode ?? 'replicated';
  if (mode === 'global' || mode === 'global-job') return nodes;
  if (mode === 'replicated-job') return spec.job?.completions ?? 1;
  return spec.replicas ?? 1;
}

/** A refusal when `spec` (replacing service `replacing`, if any) would pass a limit; null when it fits. */
export function checkServiceLimits(store: Store, spec: ServiceSpec, replacing?: string): CommandResult | null {
  const perService = store.config.maxReplicasPerService ?? DEFAULT_LIMITS.maxReplicasPerService;
  const perCluster = store.config.maxTasksPerCluster ?? DEFAULT_LIMITS.maxTasksPerCluster;
  const replicas = spec.mode === 'replicated-job' ? (spec.job?.completions ?? 1) : (spec.replicas ?? 1);
  if ((spec.mode === undefined || spec.mode === 'replicated' || spec.mode === 'replicated-job') && replicas > perService) {
    return fail(ErrorCode.LimitExceeded, `service "${spec.name}" asks for ${replicas} replicas; this cluster allows at most ${perService} per service (cluster setting maxReplicasPerService)`);
  }
  const nodes = store.nodes.size;
  let total = tasksAskedFor(spec, nodes);
  for (const s of store.services.values()) if (s.id !== replacing) total += tasksAskedFor(s.spec, nodes);
  if (total > perCluster) {
    return fail(ErrorCode.LimitExceeded, `service "${spec.name}" would bring the cluster to ${total} tasks; this cluster allows at most ${perCluster} (cluster setting maxTasksPerCluster): scale other services down or remove some`);
  }
  return null;
}
