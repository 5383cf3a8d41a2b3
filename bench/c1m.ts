// C1M-style throughput end to end: 3 voters on real LevelDB (c1m-cluster.ts)
// and N simulated agents (c1m-agents.ts). Services go in as service.create
// commands through the leader; the leader's control loop (orchestrator +
// scheduler) creates and places the tasks in batched entries; the agents see
// the placements on their replica and report the tasks running. Reports
// placements committed/s, time until every task runs, the process's CPU and
// memory (all 3 replicas and the agents live in it: an upper bound on the
// leader's), snapshot size and encode/restore time, and the leader's
// reconcile time per event once converged (a service scaled up by one).
//   npm run bench -- c1m [--cases 1000x100000,5000x1000000] [--per-service 1000] [--events 20]
// The million needs a bigger heap: NODE_OPTIONS=--max-old-space-size=16384.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { reconcile } from '@shoal/orchestrator';
import { ClusterState } from '@shoal/state';
import { C1mCluster } from './c1m-cluster.js';
import { SimAgents } from './c1m-agents.js';
import { percentile, printTable, round, writeResult } from './util.js';

function opt(args: string[], name: string, dflt: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
}

const mb = (bytes: number) => round(bytes / 1024 / 1024, 0);

async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface C1mCase {
  nodes: number;
  tasks: number;
  services: number;
  placementsPerSec: number;
  allPlacedSec: number;
  allRunningSec: number;
  leaderRssMb: number;
  leaderHeapMb: number;
  cpuCores: number;
  leaderThreadCores: number;
  leaderMaxStallMs: number;
  raftEntries: number;
  snapshotMb: number;
  snapshotEncodeMs: number;
  snapshotRestoreMs: number;
  fullReconcileMs: number;
  eventPassP50Ms: number;
  eventPassP99Ms: number;
  eventToRunningP50Ms: number;
  reportErrors: number;
}

async function runCase(nodes: number, tasks: number, perService: number, events: number): Promise<C1mCase> {
  const services = Math.ceil(tasks / perService);
  const cluster = new C1mCluster();
  await cluster.start();
  const leader = cluster.leader.state;
  // The agents watch the leader's replica (the followers' live in their worker threads).
  const agents = new SimAgents(nodes, leader, (cmd) => cluster.propose(cmd));
  let placed = 0;
  let running = 0;
  leader.onChange((cmd, _i, result) => {
    if (!result.ok) return;
    if (cmd.type === 'task.assign') {
      for (const a of cmd.assignments) if (leader.task(a.taskId)?.status.state === 'assigned') placed++;
    } else if (cmd.type === 'task.status') {
      running += result.applied ?? 0;
    }
  });
  let peakRss = 0;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 250);
  try {
    const cfg = await cluster.propose({ type: 'cluster.config', at: Date.now(), config: { maxReplicasPerService: perService * 2, maxTasksPerCluster: tasks + services * (events + 1) } });
    if (!cfg.result.ok) throw new Error(`cluster.config refused: ${JSON.stringify(cfg.result)}`);
    const r0 = performance.now();
    await agents.register();
    console.log(`  ${nodes} nodes registered in ${round((performance.now() - r0) / 1000)} s`);

    const cpu0 = process.cpuUsage();
    const thread0 = process.threadCpuUsage();
    // The leader thread's longest stall (event-loop delay) while the tasks go in: its heartbeats wait that long.
    const stalls = monitorEventLoopDelay({ resolution: 20 });
    stalls.enable();
    const t0 = performance.now();
    const created = await Promise.all(
      Array.from({ length: services }, (_, s) => {
        const replicas = Math.min(perService, tasks - s * perService);
        return cluster.propose({
          type: 'service.create',
          at: Date.now(),
          serviceId: `svc-${s}`,
          spec: { name: `c1m-${s}`, image: 'busybox:1', command: ['sleep', '1000000'], replicas, resources: { reservations: { cpus: 0.01, memoryBytes: 16 * 1024 * 1024 } } },
        });
      }),
    );
    const refused = created.find((r) => !r.result.ok);
    if (refused) throw new Error(`service.create refused: ${JSON.stringify(refused.result)}`);
    let tPlaced = NaN;
    await until(`${tasks} tasks running`, () => {
      if (Number.isNaN(tPlaced) && placed >= tasks) tPlaced = performance.now();
      return running >= tasks;
    }, 30 * 60_000);
    const tRunning = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const thread = process.threadCpuUsage(thread0);
    stalls.disable();
    const allRunningSec = (tRunning - t0) / 1000;
    const allPlacedSec = (tPlaced - t0) / 1000;
    const cpuCores = (cpu.user + cpu.system) / 1e6 / allRunningSec;
    const leaderThreadCores = (thread.user + thread.system) / 1e6 / allRunningSec;
    console.log(`  ${tasks} placed in ${round(allPlacedSec)} s, running in ${round(allRunningSec)} s`);
    await until('agents idle', () => agents.idle(), 60_000);

    // Converged: one full reconcile pass, the cost every commit paid when every pass was full.
    const f0 = performance.now();
    const full = reconcile(leader, Date.now());
    const fullReconcileMs = performance.now() - f0;
    if (full.commands.length > 0) console.warn(`  converged state still plans ${full.commands.length} commands`);

    // Events: one service scaled up by one; the leader's passes meanwhile, and the time until the new task runs.
    const passes: number[] = [];
    cluster.duties.onPass = (ms, n) => {
      if (n > 0) passes.push(ms);
    };
    const toRunning: number[] = [];
    for (let e = 0; e < events; e++) {
      const svc = `svc-${e % services}`;
      const want = running + 1;
      const e0 = performance.now();
      const replicas = (leader.service(svc)!.spec.replicas ?? 1) + 1;
      const res = await cluster.propose({ type: 'service.scale', at: Date.now(), serviceId: svc, replicas });
      if (!res.result.ok) throw new Error(`service.scale refused: ${JSON.stringify(res.result)}`);
      await until('scaled task running', () => running >= want, 60_000);
      toRunning.push(performance.now() - e0);
    }
    cluster.duties.onPass = null;

    const s0 = performance.now();
    const snap = leader.snapshot();
    const snapshotEncodeMs = performance.now() - s0;
    const x0 = performance.now();
    ClusterState.restore(snap);
    const snapshotRestoreMs = performance.now() - x0;
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    return {
      nodes,
      tasks,
      services,
      placementsPerSec: Math.round(tasks / allPlacedSec),
      allPlacedSec: round(allPlacedSec),
      allRunningSec: round(allRunningSec),
      leaderRssMb: mb(peakRss),
      leaderHeapMb: mb(peakHeap),
      cpuCores: round(cpuCores, 2),
      leaderThreadCores: round(leaderThreadCores, 2),
      leaderMaxStallMs: Math.round(stalls.max / 1e6),
      raftEntries: cluster.leader.host.status().commit,
      snapshotMb: round(snap.length / 1024 / 1024, 1),
      snapshotEncodeMs: Math.round(snapshotEncodeMs),
      snapshotRestoreMs: Math.round(snapshotRestoreMs),
      fullReconcileMs: round(fullReconcileMs),
      eventPassP50Ms: round(percentile(passes, 50)),
      eventPassP99Ms: round(percentile(passes, 99)),
      eventToRunningP50Ms: round(percentile(toRunning, 50)),
      reportErrors: agents.reportErrors,
    };
  } finally {
    clearInterval(sampler);
    await cluster.stop();
  }
}

export async function main(args: string[]): Promise<void> {
  const cases = opt(args, 'cases', '1000x100000,5000x1000000')
    .split(',')
    .map((c) => c.split('x').map(Number) as [number, number]);
  const perService = Number(opt(args, 'per-service', '1000'));
  const events = Number(opt(args, 'events', '20'));
  const out: C1mCase[] = [];
  for (const [nodes, tasks] of cases) {
    console.log(`c1m: ${nodes} nodes x ${tasks} tasks (${Math.ceil(tasks / perService)} services)`);
    const r = await runCase(nodes, tasks, perService, events);
    out.push(r);
    printTable([r as unknown as Record<string, unknown>]);
    // Let the previous case's heap go before the next one is measured.
    (globalThis as { gc?: () => void }).gc?.();
  }
  printTable(out as unknown as Record<string, unknown>[]);
  writeResult('c1m', {
    note: 'one process holds the 3 voters (real RaftHost + LevelDB, synced; the leader in the main thread with the simulated agents, each follower in a worker thread): leaderRssMb and cpuCores are the whole process, an upper bound on the leader alone; leaderHeapMb and leaderThreadCores are the main thread (the leader and the agents). placementsPerSec = tasks / (first service.create -> last task.assign applied on the leader). eventPass = one control-loop pass incl. its proposals, for a service scaled up by one on the converged state; fullReconcileMs = one full reconcile() of the converged state.',
    loadavg: (await import('node:os')).loadavg().map((l) => round(l, 2)),
    cases: out,
  });
}
