// `npm run bench -- scale [--nodes 50] [--tasks 500] [--kills 5] [--idle-seconds 30] [--membership swim|gossip] [--election-ticks N]`
//
// 50 real `shoal agent` processes on loopback (exec driver), 500 tasks, then
// 5 nodes killed one after another (never a voter). Reports detection (kill
// -> node.down committed) and failover (kill -> every task running again)
// p50/p99, dissemination of each death (first to last surviving node that
// logged it down, from the agents' own logs), and the idle CPU and RSS of
// all agents and of the leader. Writes bench/results/scale.json.
import { readFileSync } from 'node:fs';
import { ShoalClient } from '@shoal/api';
import { LocalCluster, waitFor } from '@shoal/testkit';
import { percentile, printTable, round, writeResult } from './util.js';

const TICKS = 100;

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]);
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function opt(args: string[], name: string, dflt: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
}

/** Wall-clock times at which each node's log says `victim` went down. */
function downTimes(logFiles: string[], victim: string): number[] {
  const out: number[] = [];
  for (const f of logFiles) {
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      if (!line.includes('node liveness changed') || !line.includes(victim)) continue;
      try {
        const r = JSON.parse(line) as { time: number; node: string; to: string };
        if (r.to === 'down') {
          out.push(r.time);
          break;
        }
      } catch {
        // a torn last line
      }
    }
  }
  return out;
}

export async function main(args: string[]): Promise<void> {
  const size = Number(opt(args, 'nodes', '50'));
  const tasks = Number(opt(args, 'tasks', '500'));
  const kills = Number(opt(args, 'kills', '5'));
  const idleSeconds = Number(opt(args, 'idle-seconds', '30'));
  const membership = opt(args, 'membership', 'swim');
  // An overcommitted host (50 agents on 2 cores) starves voters past the default 400 ms election timeout; operators raise it.
  const electionTicks = opt(args, 'election-ticks', '');
  // Agents start 10 at a time (as machines are added in practice): 49 starting at once on 2 cores timed out their joins.
  const c = new LocalCluster({ client: (conn) => new ShoalClient(conn), size, driver: 'exec', env: { SHOAL_MEMBERSHIP: membership }, readyTimeoutMs: 600_000, joinWave: 10, extraArgs: electionTicks ? ['--election-ticks', electionTicks] : [] });
  const started = performance.now();
  const detect: number[] = [];
  const failover: number[] = [];
  const spread: number[] = [];
  let idle = { cpuCoresTotal: NaN, rssMbTotal: NaN, leaderCpuCores: NaN, leaderRssMb: NaN, followerCpuMax: NaN };
  try {
    await c.start();
    const upSec = (performance.now() - started) / 1000;
    console.log(`${size} agents up in ${round(upSec)} s`);
    const cl = c.client(0);
    await cl.createService({ name: 'load', driver: 'exec', command: ['sleep', '1000000'], replicas: tasks });
    const t0 = performance.now();
    await waitFor(`${tasks} tasks running`, async () => (await cl.listTasks({ service: 'load' })).filter((t) => t.status.state === 'running').length === tasks, { timeoutMs: 600_000, everyMs: 500 });
    console.log(`${tasks} tasks running after ${round((performance.now() - t0) / 1000)} s`);
    await new Promise((r) => setTimeout(r, 10_000));

    const status = await cl.clusterStatus();
    const leaderId = status.leader?.id;
    const pids = c.nodes.map((n) => n.proc!.pid!);
    const before = pids.map(cpuTicks);
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const el = (performance.now() - w0) / 1000;
    const cores = pids.map((p, k) => (cpuTicks(p) - before[k]) / TICKS / el);
    const rss = pids.map(rssMb);
    const li = c.nodes.findIndex((n) => n.id === leaderId);
    idle = {
      cpuCoresTotal: round(cores.reduce((a, b) => a + b, 0), 3),
      rssMbTotal: round(rss.reduce((a, b) => a + b, 0)),
      leaderCpuCores: round(cores[li] ?? NaN, 3),
      leaderRssMb: round(rss[li] ?? NaN),
      followerCpuMax: round(Math.max(...cores.filter((_, k) => k !== li)), 3),
    };
    console.log(`idle: ${idle.cpuCoresTotal} cores and ${idle.rssMbTotal} MB RSS in total; leader ${idle.leaderCpuCores} cores`);

    const voters = new Set(status.voters.map((v) => v.id));
    const victims = c.nodes.filter((n) => n.id && !voters.has(n.id) && n.id !== leaderId).slice(-kills);
    const killed: number[] = [];
    for (const v of victims) {
      const api = c.client(c.nodes.find((n) => !killed.includes(n.index) && n.index !== v.index && voters.has(n.id!))!.index);
      const k0 = performance.now();
      const kAt = Date.now();
      await c.kill(v.index);
      killed.push(v.index);
      await waitFor(`${v.name} down`, async () => (await api.getNode(v.id!)).status === 'down', { timeoutMs: 60_000, everyMs: 50 });
      detect.push(performance.now() - k0);
      await waitFor(`tasks of ${v.name} replaced`, async () => {
        const ts = await api.listTasks({ service: 'load' });
        return ts.filter((t) => t.status.state === 'running' && t.nodeId !== v.id).length === tasks;
      }, { timeoutMs: 120_000, everyMs: 100 });
      failover.push(performance.now() - k0);
      // Let every survivor log it before reading the logs.
      await new Promise((r) => setTimeout(r, 3_000));
      const logs = c.nodes.filter((n) => !killed.includes(n.index) && n.id !== leaderId).map((n) => n.logFile);
      const times = downTimes(logs, v.id!).filter((t) => t >= kAt);
      if (times.length === logs.length) spread.push(Math.max(...times) - Math.min(...times));
      console.log(`killed ${v.name}: down after ${round(detect.at(-1)!)} ms, tasks running again after ${round(failover.at(-1)!)} ms, ${times.length}/${logs.length} survivors logged it down`);
    }
  } finally {
    await c.stop();
  }
  const result = {
    nodes: size,
    tasks,
    membership,
    electionTicks: electionTicks ? Number(electionTicks) : 8,
    detectP50Ms: round(percentile(detect, 50)),
    detectP99Ms: round(percentile(detect, 99)),
    disseminationP99Ms: round(percentile(spread, 99)),
    failoverP50Ms: round(percentile(failover, 50)),
    failoverP99Ms: round(percentile(failover, 99)),
    idleCpuCoresTotal: idle.cpuCoresTotal,
    idleRssMbTotal: idle.rssMbTotal,
    leaderCpuCores: idle.leaderCpuCores,
    leaderRssMb: idle.leaderRssMb,
    followerCpuCoresMax: idle.followerCpuMax,
    kills: detect.length,
    detectMs: detect.map((x) => round(x)),
    failoverMs: failover.map((x) => round(x)),
    disseminationMs: spread.map((x) => round(x)),
  };
  printTable([{ ...result, detectMs: undefined, failoverMs: undefined, disseminationMs: undefined }].map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined))));
  writeResult('scale', result);
}
