/**
 * Simulated node agents: they start what is assigned to their node after a
 * random delay, stop what is no longer wanted, and fail tasks whose image
 * is marked bad (`:bad` crashes, `:sick` runs unhealthy). A down node's agent
 * says nothing until the node returns, then acts on what it finds.
 */
import { isTerminalTaskState, type Task, type TaskStatus } from '@shoal/types';
import type { ClusterState, Command, TaskStatusUpdate } from '@shoal/state';
import type { Rng } from '../rng.js';

type Action = 'start' | 'stop';

export class SimAgents {
  private readonly dirty = new Set<string>();
  private readonly due = new Map<number, { taskId: string; action: Action }[]>();
  private readonly scheduled = new Set<string>();
  pending = 0;

  constructor(
    private readonly state: ClusterState,
    private readonly rng: Rng,
    private readonly tickMs: number,
  ) {
    state.onChange((cmd) => this.observe(cmd));
  }

  private observe(cmd: Command): void {
    switch (cmd.type) {
      case 'task.create':
        for (const t of cmd.tasks) this.dirty.add(t.id);
        break;
      case 'task.assign':
        for (const a of cmd.assignments) this.dirty.add(a.taskId);
        break;
      case 'task.desired':
        for (const c of cmd.changes) this.dirty.add(c.taskId);
        break;
      case 'service.remove':
      case 'node.up':
        for (const t of cmd.type === 'node.up' ? this.state.tasksByNode(cmd.nodeId) : this.state.tasks({ desiredState: 'remove' })) this.dirty.add(t.id);
        break;
      default:
        break;
    }
  }

  private agentUp(t: Task): boolean {
    const n = t.nodeId === undefined ? undefined : this.state.node(t.nodeId);
    return n !== undefined && n.status === 'ready';
  }

  private wanted(t: Task): Action | undefined {
    if (!this.agentUp(t) || isTerminalTaskState(t.status.state) || t.status.state === 'new' || t.status.state === 'pending') return undefined;
    if (t.desiredState !== 'running') return 'stop';
    return t.status.state === 'running' ? undefined : 'start';
  }

  /** Schedules work for tasks that changed, at a random delay in whole ticks. */
  private plan(now: number): void {
    for (const id of this.dirty) {
      const t = this.state.task(id);
      const action = t && this.wanted(t);
      if (!action || this.scheduled.has(`${id}:${action}`)) continue;
      const delay = action === 'start' ? this.rng.range(200, 1500) : this.rng.range(50, 400);
      const at = Math.ceil((now + delay) / this.tickMs) * this.tickMs;
      const list = this.due.get(at) ?? [];
      list.push({ taskId: id, action });
      this.due.set(at, list);
      this.scheduled.add(`${id}:${action}`);
      this.pending++;
    }
    this.dirty.clear();
  }

  /** The status reports agents send at `now` (one batched task.status), or null. */
  tick(now: number): Command | null {
    this.plan(now);
    const list = this.due.get(now);
    if (!list) return null;
    this.due.delete(now);
    const updates: TaskStatusUpdate[] = [];
    for (const { taskId, action } of list) {
      this.scheduled.delete(`${taskId}:${action}`);
      this.pending--;
      const t = this.state.task(taskId);
      if (!t || this.wanted(t) !== action) continue;
      updates.push({ taskId, nodeId: t.nodeId, status: action === 'stop' ? { state: 'shutdown', timestamp: now, message: 'stopped' } : this.started(t, now) });
    }
    return updates.length > 0 ? { type: 'task.status', at: now, updates } : null;
  }

  private started(t: Task, now: number): TaskStatus {
    const image = t.spec.image ?? '';
    if (image.endsWith(':bad')) return { state: 'failed', timestamp: now, message: 'task failed', error: 'container exited with code 1', exitCode: 1 };
    if (image.endsWith(':sick')) return { state: 'running', timestamp: now, message: 'started', health: 'unhealthy' };
    return t.spec.healthcheck ? { state: 'running', timestamp: now, message: 'started', health: 'healthy' } : { state: 'running', timestamp: now, message: 'started' };
  }

  /** Marks every task dirty (after a burst of faults), so nothing is missed. */
  touchAll(): void {
    for (const t of this.state.tasks()) this.dirty.add(t.id);
  }
}
