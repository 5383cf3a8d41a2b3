/**
 * What the placed tasks hold on each node (reservations, host ports, the
 * count of tasks wanted running), kept up to date one task at a time by
 * its owner, so a placement starts from these totals instead of recounting
 * every task in the cluster. `update(id, task)` after every change of a
 * task (`undefined` once it is gone); the rules are ClusterView's.
 */
import type { Task, TaskState } from '@shoal/types';
import { hostPorts, portKey } from './requirements.js';
import { cpusToMillis } from './units.js';

/** Observed states after which a task holds nothing on its node any more. */
export const FINISHED: ReadonlySet<TaskState> = new Set(['complete', 'shutdown', 'failed', 'rejected', 'orphaned']);
/** A task told to stop still holds its node until its agent reports it ended. */
export const OCCUPYING: ReadonlySet<TaskState> = new Set(['accepted', 'preparing', 'starting', 'running']);

export interface NodeUsage {
  cpuMillis: number;
  memoryBytes: number;
  /** Tasks wanted running (leaving ones keep reservations and ports only). */
  tasks: number;
  /** Host port keys (portKey) -> tasks holding them. */
  ports: Map<number, number>;
}

interface Held {
  nodeId: string;
  cpuMillis: number;
  memoryBytes: number;
  counted: boolean;
  ports: number[];
}

/** What `t` holds on its node, or null: placed, not ended, and wanted or still up. */
function held(t: Task): Held | null {
  if (t.nodeId === undefined || FINISHED.has(t.status?.state)) return null;
  const state = t.status?.state;
  if (state === 'new' || state === 'pending') return null;
  const leaving = t.desiredState !== 'running';
  if (leaving && !OCCUPYING.has(state)) return null;
  const r = t.spec?.resources?.reservations;
  return {
    nodeId: t.nodeId,
    cpuMillis: cpusToMillis(r?.cpus),
    memoryBytes: r?.memoryBytes ?? 0,
    counted: !leaving,
    ports: hostPorts(t.spec?.ports).map((p) => portKey(p.published, p.protocol)),
  };
}

export class UsageLedger {
  private readonly byTask = new Map<string, Held>();
  private readonly byNode = new Map<string, NodeUsage>();

  /** Starts over from every task (a full pass). */
  rebuild(tasks: Iterable<Task>): void {
    this.byTask.clear();
    this.byNode.clear();
    for (const t of tasks) this.update(t.id, t);
  }

  update(taskId: string, task: Task | undefined): void {
    const before = this.byTask.get(taskId);
    if (before) this.apply(before, -1);
    const now = task ? held(task) : null;
    if (now) {
      this.byTask.set(taskId, now);
      this.apply(now, 1);
    } else if (before) this.byTask.delete(taskId);
  }

  usage(nodeId: string): NodeUsage | undefined {
    return this.byNode.get(nodeId);
  }

  private apply(h: Held, sign: 1 | -1): void {
    let u = this.byNode.get(h.nodeId);
    if (!u) this.byNode.set(h.nodeId, (u = { cpuMillis: 0, memoryBytes: 0, tasks: 0, ports: new Map() }));
    u.cpuMillis += sign * h.cpuMillis;
    u.memoryBytes += sign * h.memoryBytes;
    if (h.counted) u.tasks += sign;
    for (const p of h.ports) {
      const n = (u.ports.get(p) ?? 0) + sign;
      if (n > 0) u.ports.set(p, n);
      else u.ports.delete(p);
    }
    if (u.cpuMillis === 0 && u.memoryBytes === 0 && u.tasks === 0 && u.ports.size === 0) this.byNode.delete(h.nodeId);
  }
}
