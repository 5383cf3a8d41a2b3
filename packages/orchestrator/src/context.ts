/**
 * One reconcile step's working set: the read-only view, the time, an id
 * source, and the commands being gathered. Every task gets at most one
 * decision per step, so the batched commands never contradict each other.
 */
import type { DesiredTaskState, NodeInfo, Task, TaskState } from '@shoal/types';
import type { ClusterView, Command, TaskDesiredChange } from '@shoal/state';
import { emptyPlan, type ReconcilePlan } from './plan.js';

export type Rng = () => number;

export class Context {
  readonly plan: ReconcilePlan = emptyPlan();
  readonly creates: Task[] = [];
  readonly desired: TaskDesiredChange[] = [];
  readonly removes: string[] = [];
  readonly serviceCommands: Command[] = [];
  private readonly decided = new Set<string>();
  private counter = 0;
  readonly nodes = new Map<string, NodeInfo>();

  constructor(
    readonly view: ClusterView,
    readonly now: number,
    private readonly rng?: Rng,
  ) {
    for (const n of view.nodes()) this.nodes.set(n.id, n);
  }

  /** A fresh task id: random when a source is given, else derived from the log position (unique per applied index). */
  newId(): string {
    this.counter++;
    if (!this.rng) return `t${this.view.lastApplied.toString(36)}-${this.counter.toString(36)}`;
    const part = () => Math.floor(this.rng!() * 0x100000000).toString(16).padStart(8, '0');
    return `t${part()}${part()}${part()}`;
  }

  isDecided(taskId: string): boolean {
    return this.decided.has(taskId);
  }

  stop(task: Task, desiredState: Exclude<DesiredTaskState, 'running'>, reason: string, state?: TaskState): void {
    if (this.decided.has(task.id)) return;
    this.decided.add(task.id);
    const change: TaskDesiredChange = { taskId: task.id, desiredState, message: reason };
    if (state !== undefined) change.state = state;
    this.desired.push(change);
    this.plan.stopped.push({ taskId: task.id, service: task.serviceName, reason });
  }

  remove(task: Task): void {
    if (this.decided.has(task.id)) return;
    this.decided.add(task.id);
    this.removes.push(task.id);
    this.plan.removed.push(task.id);
  }

  create(task: Task, reason: string): void {
    this.creates.push(task);
    this.decided.add(task.id);
    const planned = { taskId: task.id, service: task.serviceName, slot: task.slot, reason } as ReconcilePlan['created'][number];
    if (task.nodeId !== undefined) planned.nodeId = task.nodeId;
    this.plan.created.push(planned);
  }

  wake(at: number): void {
    if (at <= this.now) return;
    if (this.plan.nextWakeAt === null || at < this.plan.nextWakeAt) this.plan.nextWakeAt = at;
  }
}
