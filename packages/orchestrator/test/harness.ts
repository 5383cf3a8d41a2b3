/** A tiny cluster for orchestrator scenarios: a ClusterState, a reconcile step, and obedient agents. */
import assert from 'node:assert/strict';
import { isTerminalTaskState, type ServiceSpec, type Task, type TaskStatus } from '@shoal/types';
import { ClusterState, type Command, type NodeRegistration } from '@shoal/state';
import { nodeRegistration } from '@shoal/testkit';
import { reconcile, type ReconcileResult } from '../src/index.js';

export function node(id: string, extra: Partial<NodeRegistration> = {}): NodeRegistration {
  return nodeRegistration(id, extra);
}

export class TestCluster {
  readonly state = new ClusterState();
  now = 1_000;
  private seq = 0;

  constructor(nodes: number | string[] = 3) {
    const ids = typeof nodes === 'number' ? Array.from({ length: nodes }, (_, i) => `n${i + 1}`) : nodes;
    for (const id of ids) this.do({ type: 'node.register', at: this.now, node: node(id) });
  }

  do(cmd: Command): void {
    const r = this.state.apply(cmd, this.state.lastApplied + 1);
    assert.ok(r.ok, `${cmd.type}: ${JSON.stringify(r)}`);
  }

  /** One reconcile: its commands are applied, its result returned. */
  step(): ReconcileResult {
    let i = 0;
    const res = reconcile(this.state, this.now, () => ((++i * 2654435761 + ++this.seq * 40503) % 4294967296) / 4294967296);
    for (const c of res.commands) this.do(c);
    return res;
  }

  /** Reconciles and lets agents act until nothing changes (bounded). */
  settle(maxRounds = 30): void {
    for (let i = 0; i < maxRounds; i++) {
      const res = this.step();
      const reported = this.agents();
      if (res.commands.length === 0 && reported === 0) return;
      this.now += 10;
    }
    assert.fail('did not settle');
  }

  create(id: string, spec: ServiceSpec): void {
    this.do({ type: 'service.create', at: this.now, serviceId: id, spec });
  }

  /** Agents on ready nodes start what is assigned to them and stop what is no longer wanted. */
  agents(outcome: (t: Task) => Partial<TaskStatus> | undefined = () => undefined): number {
    const updates: { taskId: string; status: TaskStatus }[] = [];
    for (const t of this.state.tasks()) {
      const n = t.nodeId ? this.state.node(t.nodeId) : undefined;
      if (!n || n.status !== 'ready' || t.status.state === 'new' || t.status.state === 'pending') continue;
      if (t.desiredState === 'running' && !isTerminalTaskState(t.status.state) && t.status.state !== 'running') {
        updates.push({ taskId: t.id, status: { state: 'running', timestamp: this.now, message: 'started', ...outcome(t) } });
      } else if (t.desiredState !== 'running' && !isTerminalTaskState(t.status.state)) {
        updates.push({ taskId: t.id, status: { state: 'shutdown', timestamp: this.now, message: 'stopped' } });
      }
    }
    if (updates.length > 0) this.do({ type: 'task.status', at: this.now, updates });
    return updates.length;
  }

  report(taskId: string, status: Partial<TaskStatus> & { state: TaskStatus['state'] }): void {
    this.do({ type: 'task.status', at: this.now, updates: [{ taskId, status: { timestamp: this.now, message: status.state, ...status } }] });
  }

  live(service: string): Task[] {
    return this.state.tasksByService(this.state.service(service)!.id).filter((t) => t.desiredState === 'running');
  }

  running(service: string): Task[] {
    return this.state.tasksByService(this.state.service(service)!.id).filter((t) => t.status.state === 'running');
  }
}

export function types(res: ReconcileResult): string[] {
  return res.commands.map((c) => c.type);
}
