/**
 * The scheduler's working copy of the cluster: per-node free resources, taken
 * ports, task counts and per-service counts, updated in place as a batch
 * places tasks. Nodes are sorted by id, so a node's index is also its
 * deterministic tie-break.
 */
import type { NodeInfo, Task } from '@shoal/types';
import { hostPorts, portKey, type TaskRequirements } from './requirements.js';
import { cpusToMillis } from './units.js';
import { FINISHED, OCCUPYING, type UsageLedger } from './usage.js';


export class ClusterView {
  readonly nodes: NodeInfo[];
  readonly indexById = new Map<string, number>();
  readonly freeCpu: Float64Array;
  readonly freeMem: Float64Array;
  readonly taskCount: Int32Array;
  readonly ports: (Set<number> | undefined)[];
  /** Bumped on every placement on a node: heap entries computed before it are stale. */
  readonly version: Int32Array;
  /** Nodes placed on, in order, so groups can catch up on what changed (binpack). */
  readonly changes: number[] = [];
  private readonly serviceCounts = new Map<string, Int32Array>();

  /**
   * With `usage`, node totals come from the ledger and `live` only counts
   * tasks per service (spread, max per node): pass the tasks of the
   * services being placed. Without it, `live` is every placed task.
   */
  constructor(nodes: NodeInfo[], live: Task[], exclude: ReadonlySet<string>, countedServices: ReadonlySet<string>, usage?: UsageLedger) {
    this.nodes = [...nodes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const n = this.nodes.length;
    this.freeCpu = new Float64Array(n);
    this.freeMem = new Float64Array(n);
    this.taskCount = new Int32Array(n);
    this.version = new Int32Array(n);
    this.ports = new Array(n);
    this.nodes.forEach((node, i) => {
      this.indexById.set(node.id, i);
      this.freeCpu[i] = node.resources?.cpuMillis ?? 0;
      this.freeMem[i] = node.resources?.memoryBytes ?? 0;
      const u = usage?.usage(node.id);
      if (!u) return;
      this.freeCpu[i] -= u.cpuMillis;
      this.freeMem[i] -= u.memoryBytes;
      this.taskCount[i] = u.tasks;
      if (u.ports.size > 0) this.ports[i] = new Set(u.ports.keys());
    });
    for (const s of countedServices) this.serviceCounts.set(s, new Int32Array(n));
    if (usage) {
      for (const t of live) {
        if (t.nodeId === undefined || exclude.has(t.id) || FINISHED.has(t.status?.state) || t.desiredState !== 'running') continue;
        const i = this.indexById.get(t.nodeId);
        const counts = this.serviceCounts.get(t.serviceId);
        if (i !== undefined && counts) counts[i]++;
      }
      return;
    }
    for (const t of live) {
      if (t.nodeId === undefined || exclude.has(t.id) || FINISHED.has(t.status?.state)) continue;
      // Stopping tasks keep their ports and reservations (a replacement on the same node would fail to bind
      // the port while the old container is in its grace period) but no longer count for spread.
      const leaving = t.desiredState !== 'running';
      if (leaving && !OCCUPYING.has(t.status?.state)) continue;
      const i = this.indexById.get(t.nodeId);
      if (i === undefined) continue;
      const reservations = t.spec?.resources?.reservations;
      this.freeCpu[i] -= cpusToMillis(reservations?.cpus);
      this.freeMem[i] -= reservations?.memoryBytes ?? 0;
      for (const p of hostPorts(t.spec?.ports)) this.takePort(i, portKey(p.published, p.protocol));
      if (leaving) continue;
      this.taskCount[i]++;
      const counts = this.serviceCounts.get(t.serviceId);
      if (counts) counts[i]++;
    }
  }

  get size(): number {
    return this.nodes.length;
  }

  /** Per-node task counts of a service (only for services named at construction or placed since). */
  countsOf(serviceId: string): Int32Array {
    let counts = this.serviceCounts.get(serviceId);
    if (!counts) {
      counts = new Int32Array(this.nodes.length);
      this.serviceCounts.set(serviceId, counts);
    }
    return counts;
  }

  /**
   * Share of the node reserved once the task is added: of the resources the
   * node reports, the fullest one (its dominant share), so a node full on
   * memory but idle on CPU counts as full.
   */
  allocatedShare(i: number, req: TaskRequirements): number {
    const r = this.nodes[i].resources;
    let share = 0;
    if (r?.cpuMillis > 0) share = (r.cpuMillis - this.freeCpu[i] + req.cpuMillis) / r.cpuMillis;
    if (r?.memoryBytes > 0) share = Math.max(share, (r.memoryBytes - this.freeMem[i] + req.memoryBytes) / r.memoryBytes);
    return share;
  }

  place(i: number, req: TaskRequirements): void {
    this.freeCpu[i] -= req.cpuMillis;
    this.freeMem[i] -= req.memoryBytes;
    this.taskCount[i]++;
    for (const p of req.ports) this.takePort(i, p);
    this.countsOf(req.serviceId)[i]++;
    this.version[i]++;
    this.changes.push(i);
  }

  private takePort(i: number, key: number): void {
    (this.ports[i] ??= new Set()).add(key);
  }
}
