/**
 * The feasibility pipeline. Each filter can reject a node and say why, for
 * one node (`explain`) and for all the nodes it rejected (`summarize`).
 * Static filters depend only on the node and the spec; dynamic ones on what
 * is already placed, which within a batch only grows, so a node a dynamic
 * filter rejects stays rejected until the batch ends.
 */
import { matchConstraint } from '@shoal/types';
import type { ClusterView } from './cluster-view.js';
import { formatPortKey, type TaskRequirements } from './requirements.js';
import { counted, formatBytes, formatCpu } from './units.js';

export interface Filter {
  readonly name: string;
  readonly dynamic: boolean;
  /** False when the spec asks nothing this filter checks, so it is skipped. */
  applies(req: TaskRequirements): boolean;
  accepts(view: ClusterView, i: number, req: TaskRequirements): boolean;
  explain(view: ClusterView, i: number, req: TaskRequirements): string;
  summarize(view: ClusterView, rejected: number[], req: TaskRequirements): string;
}

/** Groups rejected nodes by a per-node phrase: "2 down, 1 drained". */
function tally(rejected: number[], phrase: (i: number) => string): string {
  const counts = new Map<string, number>();
  for (const i of rejected) {
    const p = phrase(i);
    counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  return [...counts].map(([p, c]) => `${c} ${p}`).join(', ');
}

const availability: Filter = {
  name: 'availability',
  dynamic: false,
  applies: () => true,
  accepts: (v, i) => v.nodes[i].status === 'ready' && v.nodes[i].availability === 'active',
  explain: (v, i) => {
    const n = v.nodes[i];
    if (n.status !== 'ready') return n.status === 'down' ? 'node is down' : `node status is ${n.status}, not ready`;
    return n.availability === 'drain' ? 'node is drained' : `node availability is ${n.availability}, not active`;
  },
  summarize: (v, rejected) =>
    tally(rejected, (i) => {
      const n = v.nodes[i];
      if (n.status !== 'ready') return n.status === 'down' ? 'down' : 'not ready';
      return n.availability === 'drain' ? 'drained' : n.availability === 'pause' ? 'paused' : 'not active';
    }),
};

const driver: Filter = {
  name: 'driver',
  dynamic: false,
  applies: () => true,
  accepts: (v, i, req) => (v.nodes[i].drivers ?? []).includes(req.driver),
  explain: (v, i, req) => `no ${req.driver} driver (has ${(v.nodes[i].drivers ?? []).join(', ') || 'none'})`,
  summarize: (_v, rejected, req) => `${counted(rejected.length, 'lacks', 'lack')} the ${req.driver} driver`,
};

const ARCH_ALIASES: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64' };
const arch = (a: string | undefined) => {
  const lower = (a ?? '').toLowerCase();
  return ARCH_ALIASES[lower] ?? lower;
};
const platformText = (req: TaskRequirements) => req.platforms.map((p) => `${p.os || '*'}/${p.arch || '*'}`).join(', ');

const platform: Filter = {
  name: 'platform',
  dynamic: false,
  applies: (req) => req.platforms.length > 0,
  accepts: (v, i, req) => {
    const p = v.nodes[i].platform;
    // An empty os or arch in the spec matches any.
    return req.platforms.some((want) => (!want.os || want.os.toLowerCase() === (p?.os ?? '').toLowerCase()) && (!want.arch || arch(want.arch) === arch(p?.arch)));
  },
  explain: (v, i, req) => `platform ${v.nodes[i].platform?.os}/${v.nodes[i].platform?.arch} is not one of ${platformText(req)}`,
  summarize: (_v, rejected, req) => `${counted(rejected.length, 'is', 'are')} not ${platformText(req)}`,
};

const firstFailedConstraint = (v: ClusterView, i: number, req: TaskRequirements) => req.constraints.find((c) => !matchConstraint(v.nodes[i], c));

const constraints: Filter = {
  name: 'constraints',
  dynamic: false,
  applies: (req) => req.constraints.length > 0,
  accepts: (v, i, req) => firstFailedConstraint(v, i, req) === undefined,
  explain: (v, i, req) => `does not satisfy ${firstFailedConstraint(v, i, req)?.text}`,
  summarize: (v, rejected, req) => {
    const byConstraint = new Map<string, number>();
    for (const i of rejected) {
      const text = firstFailedConstraint(v, i, req)?.text ?? '';
      byConstraint.set(text, (byConstraint.get(text) ?? 0) + 1);
    }
    return [...byConstraint].map(([text, c]) => `${counted(c, 'does', 'do')} not satisfy ${text}`).join(', ');
  },
};

const missingPath = (v: ClusterView, i: number, req: TaskRequirements) => {
  const has = v.nodes[i].hostPaths ?? [];
  return req.bindSources.find((p) => !has.includes(p));
};

/** Bind sources must exist on the node (its agent reports which of the cluster's bind sources it has). */
const hostPaths: Filter = {
  name: 'hostPaths',
  dynamic: false,
  applies: (req) => req.bindSources.length > 0,
  accepts: (v, i, req) => missingPath(v, i, req) === undefined,
  explain: (v, i, req) => `bind source ${missingPath(v, i, req)} does not exist on this node (create it there, or constrain the service to nodes that have it)`,
  summarize: (v, rejected, req) => {
    const byPath = new Map<string, number>();
    for (const i of rejected) {
      const p = missingPath(v, i, req) ?? '';
      byPath.set(p, (byPath.get(p) ?? 0) + 1);
    }
    return [...byPath].map(([p, c]) => `${counted(c, 'lacks', 'lack')} bind source ${p}`).join(', ');
  },
};

const pinned: Filter = {
  name: 'pinned',
  dynamic: false,
  applies: (req) => req.pinnedNodeId !== undefined,
  accepts: (v, i, req) => v.nodes[i].id === req.pinnedNodeId,
  explain: (_v, _i, req) => `task belongs to node ${req.pinnedNodeId}`,
  summarize: (_v, rejected, req) => `${counted(rejected.length, 'is', 'are')} not node ${req.pinnedNodeId} the task belongs to`,
};

const maxReplicas: Filter = {
  name: 'maxReplicasPerNode',
  dynamic: true,
  applies: (req) => req.maxPerNode > 0,
  accepts: (v, i, req) => v.countsOf(req.serviceId)[i] < req.maxPerNode,
  explain: (v, i, req) => `already runs ${counted(v.countsOf(req.serviceId)[i], 'task', 'tasks')} of ${req.serviceName} (max ${req.maxPerNode} per node)`,
  summarize: (_v, rejected, req) =>
    `${counted(rejected.length, 'already runs', 'already run')} the maximum of ${req.maxPerNode} ${req.maxPerNode === 1 ? 'task' : 'tasks'} of ${req.serviceName} per node`,
};

function mostFree(values: Float64Array, rejected: number[]): number {
  let best = -Infinity;
  for (const i of rejected) best = Math.max(best, values[i]);
  return best;
}

const memory: Filter = {
  name: 'memory',
  dynamic: true,
  applies: (req) => req.memoryBytes > 0,
  accepts: (v, i, req) => v.freeMem[i] >= req.memoryBytes,
  explain: (v, i, req) => `lacks memory: needs ${formatBytes(req.memoryBytes)}, ${formatBytes(v.freeMem[i])} free`,
  summarize: (v, rejected, req) =>
    `${counted(rejected.length, 'lacks', 'lack')} memory (need ${formatBytes(req.memoryBytes)}, most free ${formatBytes(mostFree(v.freeMem, rejected))})`,
};

const cpu: Filter = {
  name: 'cpu',
  dynamic: true,
  applies: (req) => req.cpuMillis > 0,
  accepts: (v, i, req) => v.freeCpu[i] >= req.cpuMillis,
  explain: (v, i, req) => `lacks CPU: needs ${formatCpu(req.cpuMillis)}, ${formatCpu(v.freeCpu[i])} free`,
  summarize: (v, rejected, req) =>
    `${counted(rejected.length, 'lacks', 'lack')} CPU (need ${formatCpu(req.cpuMillis)}, most free ${formatCpu(mostFree(v.freeCpu, rejected))})`,
};

const takenPorts = (v: ClusterView, i: number, req: TaskRequirements) => {
  const taken = v.ports[i];
  return taken ? req.ports.filter((p) => taken.has(p)) : [];
};

const ports: Filter = {
  name: 'ports',
  dynamic: true,
  applies: (req) => req.ports.length > 0,
  accepts: (v, i, req) => {
    const taken = v.ports[i];
    if (!taken) return true;
    for (const p of req.ports) if (taken.has(p)) return false;
    return true;
  },
  explain: (v, i, req) => {
    const t = takenPorts(v, i, req);
    return `${t.length === 1 ? 'port' : 'ports'} ${t.map(formatPortKey).join(', ')} taken`;
  },
  summarize: (v, rejected, req) => {
    const union = new Set<number>();
    for (const i of rejected) for (const p of takenPorts(v, i, req)) union.add(p);
    const list = [...union].sort((a, b) => a - b);
    return `${counted(rejected.length, 'has', 'have')} ${list.length === 1 ? 'port' : 'ports'} ${list.map(formatPortKey).join(', ')} taken`;
  },
};

/** In the order a node is judged: the cheapest and most decisive first. */
/** A node the leader declared under memory pressure takes no new task until it recovers (kubelet's MemoryPressure taint). */
const pressure: Filter = {
  name: 'pressure',
  dynamic: false,
  applies: () => true,
  accepts: (v, i) => v.nodes[i].pressure?.level !== 'memory',
  explain: (v, i) => `node is under memory pressure (${v.nodes[i].pressure?.detail ?? 'declared by the leader'})`,
  summarize: (_v, rejected) => `${counted(rejected.length, 'is', 'are')} under memory pressure`,
};

export const FILTERS: readonly Filter[] = [availability, pinned, driver, platform, constraints, pressure, hostPaths, maxReplicas, memory, cpu, ports];

/** The filters a requirement set needs, split so the static ones run once per group. */
export function filtersFor(req: TaskRequirements): { staticFilters: Filter[]; dynamicFilters: Filter[] } {
  const active = FILTERS.filter((f) => f.applies(req));
  return { staticFilters: active.filter((f) => !f.dynamic), dynamicFilters: active.filter((f) => f.dynamic) };
}

export function passes(filters: readonly Filter[], view: ClusterView, i: number, req: TaskRequirements): boolean {
  for (const f of filters) if (!f.accepts(view, i, req)) return false;
  return true;
}

/**
 * Why no candidate node fits: each node is counted under the first filter
 * that rejects it, e.g. `no suitable node (5 nodes: 3 lack memory (need 512
 * MiB, most free 256 MiB), 2 have port 8080 taken)`.
 */
export function explainNoFit(view: ClusterView, candidates: readonly number[], req: TaskRequirements): string {
  if (req.invalid) return req.invalid;
  if (req.pinnedNodeId !== undefined && !view.indexById.has(req.pinnedNodeId)) {
    return `no suitable node: the task belongs to node ${req.pinnedNodeId}, which is not in the cluster`;
  }
  if (candidates.length === 0) return 'no suitable node (the cluster has no nodes)';
  const active = FILTERS.filter((f) => f.applies(req));
  const rejectedBy = new Map<Filter, number[]>();
  for (const i of candidates) {
    const f = active.find((filter) => !filter.accepts(view, i, req));
    if (f) (rejectedBy.get(f) ?? rejectedBy.set(f, []).get(f)!).push(i);
  }
  const parts = active.filter((f) => rejectedBy.has(f)).map((f) => f.summarize(view, rejectedBy.get(f)!, req));
  return `no suitable node (${counted(candidates.length, 'node', 'nodes')}: ${parts.join(', ')})`;
}
