// The leader's reconcile cost per event on a converged cluster, pure (no
// Raft): N nodes and T tasks in services of 1,000 replicas, all running;
// then events (one service scaled up by one, the new task reported
// running) and the time of each reconcile pass they cause, both as every
// pass was before (a full pass) and scoped to what changed (ReconcileTracker,
// what the leader does now).
//   npm run bench -- reconcile [--sizes 10000,100000] [--events 50]
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { reconcile, ReconcileTracker } from '@shoal/orchestrator';
import { ClusterState, type Command } from '@shoal/state';
import { percentile, printTable, round, writeResult } from './util.js';

function opt(args: string[], name: string, dflt: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
}

const PER_SERVICE = 1000;

class Bench {
  readonly state = new ClusterState();
  private index = 0;
  now = 1_000_000;
  private seq = 0;
  readonly tracker = new ReconcileTracker();
  incremental = false;

  constructor() {
    this.state.onChange((cmd, _i, result) => this.tracker.observe(cmd, result, this.state));
  }

  apply(cmd: Command): void {
    const r = this.state.apply(cmd, ++this.index);
    if (!r.ok) throw new Error(`${cmd.type} refused: ${JSON.stringify(r)}`);
  }

  /** One control-loop pass: plan, apply what it planned, report the placed tasks running. Returns the plan's time in ms. */
  pass(): { ms: number; commands: number } {
    const scope = this.tracker.take(this.state);
    const t0 = performance.now();
    const { commands } = reconcile(this.state, this.now, () => ((++this.seq * 2654435761) % 4294967296) / 4294967296, this.incremental && scope ? { scope } : {});
    const ms = performance.now() - t0;
    const placed: { taskId: string; nodeId: string }[] = [];
    for (const c of commands) {
      this.apply(c);
      if (c.type === 'task.assign') placed.push(...c.assignments);
    }
    if (placed.length > 0) {
      this.apply({ type: 'task.status', at: this.now, updates: placed.map((a) => ({ taskId: a.taskId, nodeId: a.nodeId, status: { state: 'running', timestamp: this.now, message: 'started' } })) });
    }
    this.now += 10;
    return { ms, commands: commands.length };
  }
}

function setup(tasks: number): Bench {
  const b = new Bench();
  const nodes = Math.max(10, Math.round(tasks / 100));
  b.apply({ type: 'cluster.config', at: 0, config: { maxReplicasPerService: PER_SERVICE * 2, maxTasksPerCluster: tasks * 2 } });
  for (let k = 0; k < nodes; k++) {
    b.apply({ type: 'node.register', at: 0, node: { id: `n${k}`, name: `host-${k}`, addresses: [], labels: { zone: `z${k % 5}` }, resources: { cpuMillis: 64_000, memoryBytes: 256 * 1024 ** 3 }, drivers: ['docker'], platform: { os: 'linux', arch: 'amd64' }, version: '0.1.0' } });
  }
  for (let s = 0; s * PER_SERVICE < tasks; s++) {
    const replicas = Math.min(PER_SERVICE, tasks - s * PER_SERVICE);
    b.apply({ type: 'service.create', at: 0, serviceId: `svc-${s}`, spec: { name: `s${s}`, image: 'busybox:1', replicas, resources: { reservations: { cpus: 0.01, memoryBytes: 16 * 1024 * 1024 } } } });
  }
  for (let i = 0; i < 100 && b.pass().commands > 0; i++);
  return b;
}

export async function main(args: string[]): Promise<void> {
  const sizes = opt(args, 'sizes', '10000,100000').split(',').map(Number);
  const events = Number(opt(args, 'events', '50'));
  const rows = [];
  for (const tasks of sizes) {
    for (const mode of ['full', 'incremental'] as const) {
      const b = setup(tasks);
      b.incremental = mode === 'incremental';
      const idle: number[] = [];
      for (let i = 0; i < 5; i++) idle.push(b.pass().ms);
      const perEvent: number[] = [];
      for (let e = 0; e < events; e++) {
        const svc = b.state.service(`svc-${e % Math.ceil(tasks / PER_SERVICE)}`)!;
        b.apply({ type: 'service.scale', at: b.now, serviceId: svc.id, replicas: (svc.spec.replicas ?? 1) + 1 });
        // The pass that creates and places the new task, then the one that sees it running.
        perEvent.push(b.pass().ms, b.pass().ms);
      }
      if (b.state.tasks({ state: 'running' }).length !== tasks + events) throw new Error(`${mode}: ${tasks + events} tasks should run`);
      const row = { tasks, nodes: b.state.nodes().length, mode, idlePassMs: round(percentile(idle, 50), 2), eventPassP50Ms: round(percentile(perEvent, 50), 2), eventPassP99Ms: round(percentile(perEvent, 99), 2) };
      console.log(`  ${tasks} tasks, ${mode}: idle pass ${row.idlePassMs} ms, pass per event p50 ${row.eventPassP50Ms} ms p99 ${row.eventPassP99Ms} ms`);
      rows.push(row);
    }
  }
  printTable(rows);
  writeResult('reconcile', { loadavg: loadavg().map((l) => round(l, 2)), note: 'reconcile() time of one leader pass on a converged cluster (idle) and of the passes one event causes (a service scaled up by one: the pass that creates + places the task, the pass after it runs); full = every pass looks at everything (before), incremental = scoped by ReconcileTracker (the leader now)', cases: rows });
}
