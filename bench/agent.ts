// Agent overhead on top of the engine: for 1, 10 and 50 tasks assigned at
// once, the time from reconcile() to each task's `running` report, next to
// a raw dockerode create+start of the same containers with the same
// parallelism (the agent's default of 8 driver operations at once).
// Also an exec-driver row: agent vs a bare spawn of the same command.
// The engine's own times vary by 2-3x between runs on a shared machine, so the
// headline overhead is measured task by task: its latency minus its own engine
// create+start time and its queueing for a slot (see the note in the results).
// `npm run bench -- agent [--quick]`   (needs a Docker engine for the docker rows)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import Docker from 'dockerode';
import pino from 'pino';
import type { ServiceSpec, Task, TaskStatus } from '@shoal/types';
import { Agent, DockerDriver, ExecDriver, containerSpec, type Driver } from '@shoal/agent';
import { percentile, printTable, round, writeResult } from './util.js';

const CONCURRENCY = 8;
const IMAGE = 'shoal-test/busybox:1';
const logger = pino({ level: 'silent' });

function makeTasks(n: number, nodeId: string, spec: Partial<ServiceSpec>): Task[] {
  return Array.from({ length: n }, (_, i) => ({
    id: randomUUID().replaceAll('-', ''),
    serviceId: 'bench',
    serviceName: 'bench',
    serviceVersion: 1,
    slot: i + 1,
    nodeId,
    desiredState: 'running',
    status: { state: 'assigned', timestamp: 0, message: '' },
    spec: { name: 'bench', ...spec } as ServiceSpec,
    createdAt: 0,
    updatedAt: 0,
  }));
}

async function bounded<T>(items: T[], limit: number, op: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await op(items[next++]);
  }));
}

/** Per-task latency (ms) from the moment the work is handed over to the task running. */
async function rawDocker(docker: Docker, n: number): Promise<number[]> {
  const nodeId = `bench-raw-${randomUUID().slice(0, 8)}`;
  const tasks = makeTasks(n, nodeId, { image: IMAGE, command: ['sleep', '3600'] });
  const lat: number[] = [];
  const t0 = performance.now();
  await bounded(tasks, CONCURRENCY, async (t) => {
    const c = await docker.createContainer(containerSpec(t, nodeId));
    await c.start();
    lat.push(performance.now() - t0);
  });
  await removeByNode(docker, nodeId);
  return lat;
}

async function viaAgent(makeDriver: (nodeId: string) => Driver, n: number, spec: Partial<ServiceSpec>, cleanup: (nodeId: string) => Promise<void>, lags: number[], overheads: number[]): Promise<number[]> {
  const nodeId = `bench-agent-${randomUUID().slice(0, 8)}`;
  const tasks = makeTasks(n, nodeId, spec);
  const running = new Map<string, number>();
  const startedAt = new Map<string, number>();
  let t0 = 0;
  let allRunning!: () => void;
  const done = new Promise<void>((r) => (allRunning = r));
  const report = async (updates: { taskId: string; status: TaskStatus }[]) => {
    const now = performance.now();
    for (const u of updates) {
      if (u.status.state !== 'running' || running.has(u.taskId)) continue;
      running.set(u.taskId, now - t0);
      lags.push(now - (startedAt.get(u.taskId) ?? now));
    }
    if (running.size === n) allRunning();
  };
  const driver = makeDriver(nodeId);
  // Time each task's driver.start() so the agent's own lag after the engine
  // answered (start returned -> running reported) can be shown on its own.
  // Time each task's driver calls, and when all CONCURRENCY slots were busy:
  // waiting for a slot is queueing that a raw client with the same
  // parallelism has too, so it is not counted as the agent's overhead.
  const calls = new Map<string, Record<'prepare' | 'start', { at: number; done: number }>>();
  const busy = new BusyTimeline(CONCURRENCY);
  for (const op of ['prepare', 'start'] as const) {
    const inner = (driver[op] as (...a: unknown[]) => Promise<unknown>).bind(driver);
    (driver as unknown as Record<string, unknown>)[op] = async (task: Task, ...rest: unknown[]) => {
      const at = performance.now();
      busy.change(at, +1);
      try {
        return await inner(task, ...rest);
      } finally {
        const done = performance.now();
        busy.change(done, -1);
        const rec = calls.get(task.id) ?? ({} as Record<'prepare' | 'start', { at: number; done: number }>);
        rec[op] = { at, done };
        calls.set(task.id, rec);
        if (op === 'start') startedAt.set(task.id, done);
      }
    };
  }
  const agent = new Agent({ nodeId, drivers: [driver], report, logger, concurrency: CONCURRENCY });
  await agent.start();
  t0 = performance.now();
  agent.reconcile(tasks);
  await done;
  await agent.stop();
  await cleanup(nodeId);
  for (const [id, c] of calls) {
    const end = t0 + running.get(id)!;
    const gaps = [[t0, c.prepare.at], [c.prepare.done, c.start.at]] as const;
    const queued = gaps.reduce((sum, [a, b]) => sum + busy.fullTime(a, b), 0);
    overheads.push(end - t0 - (c.start.done - c.start.at) - queued);
  }
  return [...running.values()];
}

async function removeByNode(docker: Docker, nodeId: string): Promise<void> {
  const list = await docker.listContainers({ all: true, filters: { label: [`shoal.node=${nodeId}`] } });
  await bounded(list, 8, async (c) => {
    await docker.getContainer(c.Id).remove({ force: true });
  });
}

async function rawExec(n: number): Promise<number[]> {
  const lat: number[] = [];
  const t0 = performance.now();
  const children = [];
  for (let i = 0; i < n; i++) {
    const child = spawn('/bin/sh', ['-c', 'exec sleep 3600'], { detached: true, stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    lat.push(performance.now() - t0);
    children.push(child);
  }
  for (const c of children) process.kill(-c.pid!, 'SIGKILL');
  return lat;
}

/** When all slots of a bounded pool were in use, from +1/-1 changes. */
class BusyTimeline {
  private readonly events: { t: number; d: number }[] = [];
  constructor(private readonly slots: number) {}
  change(t: number, d: number): void {
    this.events.push({ t, d });
  }
  /** Time within [a, b] during which every slot was busy. */
  fullTime(a: number, b: number): number {
    let active = 0;
    let since = -Infinity;
    let total = 0;
    for (const e of [...this.events].sort((x, y) => x.t - y.t)) {
      const was = active >= this.slots;
      active += e.d;
      if (!was && active >= this.slots) since = e.t;
      if (was && active < this.slots) total += Math.max(0, Math.min(b, e.t) - Math.max(a, since));
    }
    if (active >= this.slots) total += Math.max(0, b - Math.max(a, since));
    return total;
  }
}

/** One row's measurements, filled round by round: raw engine times, agent times, report lags, agent overheads. */
interface Samples {
  raw: number[];
  agent: number[];
  lags: number[];
  overheads: number[];
}
const newSamples = (): Samples => ({ raw: [], agent: [], lags: [], overheads: [] });

function row(driver: string, tasks: number, { raw, agent, lags, overheads }: Samples) {
  const rawP50 = percentile(raw, 50);
  const rawP99 = percentile(raw, 99);
  const agentP50 = percentile(agent, 50);
  const agentP99 = percentile(agent, 99);
  return {
    driver,
    tasks,
    samples: agent.length,
    overheadP50Ms: round(percentile(overheads, 50), 2),
    overheadP99Ms: round(percentile(overheads, 99), 2),
    startToReportP99Ms: round(percentile(lags, 99), 2),
    rawP50Ms: round(rawP50),
    rawP99Ms: round(rawP99),
    agentP50Ms: round(agentP50),
    agentP99Ms: round(agentP99),
    vsRawP50Ms: round(agentP50 - rawP50),
    vsRawP99Ms: round(agentP99 - rawP99),
  };
}

export async function main(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const sizes: [number, number][] = quick ? [[1, 3], [10, 1], [50, 1]] : [[1, 20], [10, 4], [50, 2]];
  const cases: ReturnType<typeof row>[] = [];
  const docker = new Docker();
  let dockerUp = true;
  try {
    await docker.ping();
  } catch {
    dockerUp = false;
    console.log('# no Docker engine reachable: only the exec rows are measured (start dockerd for the docker rows)');
  }
  if (dockerUp) {
    const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'test-images.sh');
    const res = spawnSync('sh', [script], { stdio: 'inherit' });
    if (res.status !== 0) throw new Error('scripts/test-images.sh failed');
    await rawDocker(docker, 2); // warm the engine
    for (const [n, rounds] of sizes) {
      const s = newSamples();
      const { raw, agent, lags, overheads } = s;
      for (let r = 0; r < rounds; r++) {
        // Alternate which goes first so engine warm-up does not favour either.
        const a = () => viaAgent((nodeId) => new DockerDriver({ nodeId, docker }), n, { image: IMAGE, command: ['sleep', '3600'] }, (nodeId) => removeByNode(docker, nodeId), lags, overheads);
        if (r % 2 === 0) {
          raw.push(...(await rawDocker(docker, n)));
          agent.push(...(await a()));
        } else {
          agent.push(...(await a()));
          raw.push(...(await rawDocker(docker, n)));
        }
      }
      cases.push(row('docker', n, s));
    }
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'shoal-bench-exec-'));
  try {
    for (const [n, rounds] of sizes) {
      const s = newSamples();
      const { raw, agent, lags, overheads } = s;
      for (let r = 0; r < rounds; r++) {
        raw.push(...(await rawExec(n)));
        const drivers: ExecDriver[] = [];
        agent.push(...(await viaAgent((nodeId) => {
          const d = new ExecDriver({ nodeId, dataDir });
          drivers.push(d);
          return d;
        }, n, { driver: 'exec', command: ['/bin/sh', '-c', 'exec sleep 3600'] }, async () => {
          for (const d of drivers) {
            for (const h of await d.list()) await d.remove(h);
            d.close();
          }
        }, lags, overheads)));
      }
      cases.push(row('exec', n, s));
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  printTable(cases);
  writeResult('agent', { concurrency: CONCURRENCY, note: 'overhead = per task, reconcile() -> running reported, minus its own create+start time in the engine, minus the time it waited while all concurrency slots were busy (queueing a raw client with the same parallelism has too); vsRaw = agent percentile - a separate raw dockerode run (engine noise dominates it); startToReport = driver.start() returned -> running reported; report() resolves at once (no Raft)', cases });
}
