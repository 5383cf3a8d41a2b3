// `npm run bench -- soak [--minutes 30] [--membership swim|gossip] [--snapshot-every 1000]`
//
// 3 agents under churn for a while: a crash-looping service (restart backoff
// by default), a service scaled up and down every few seconds and a rolling
// update every 30 s. Samples each agent's RSS (from /proc) and JS heap (from
// /metrics) at start and end, then reads the Raft log from disk after the
// agents stop: its size in bytes and the entries it still holds. Writes
// bench/results/soak.json.
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ShoalClient } from '@shoal/api';
import { LocalCluster, waitFor } from '@shoal/testkit';
import { LevelRaftStorage } from '@shoal/storage';
import { printTable, round, writeResult } from './util.js';

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

function opt(args: string[], name: string, dflt: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
}

export async function main(args: string[]): Promise<void> {
  const minutes = Number(opt(args, 'minutes', '30'));
  const membership = opt(args, 'membership', process.env.SHOAL_MEMBERSHIP ?? 'swim');
  // 30 minutes of this churn commit a few thousand entries: below the agent's default
  // interval (10,000) no snapshot would ever be taken, so the soak sets a smaller one.
  const snapshotEvery = Number(opt(args, 'snapshot-every', '1000'));
  const c = new LocalCluster({ client: (conn) => new ShoalClient(conn), size: 3, driver: 'exec', keepRoot: true, env: { SHOAL_MEMBERSHIP: membership }, extraArgs: ['--snapshot-every', String(snapshotEvery)], readyTimeoutMs: 600_000 });
  const samples: { minute: number; rssMb: number[]; heapMb: number[] }[] = [];
  let commitIndex = 0;
  let ops = 0;
  const heapMb = async (i: number): Promise<number> => {
    const text = String((await c.client(i).metrics()).body ?? '');
    const m = /^shoal_process_nodejs_heap_size_used_bytes (\d+(?:\.\d+)?)/m.exec(text);
    return m ? Number(m[1]) / 1024 / 1024 : NaN;
  };
  const sample = async (minute: number) => {
    samples.push({ minute: round(minute, 2), rssMb: c.nodes.map((n) => round(rssMb(n.proc!.pid!))), heapMb: await Promise.all(c.nodes.map(async (_, i) => round(await heapMb(i)))) });
    console.log(`t=${round(minute, 1)} min: RSS ${samples.at(-1)!.rssMb.join(' / ')} MB, heap ${samples.at(-1)!.heapMb.join(' / ')} MB`);
  };
  try {
    await c.start();
    const cl = c.client(0);
    await cl.createService({ name: 'crashloop', driver: 'exec', command: ['sh', '-c', 'sleep 1; exit 1'], replicas: 2 });
    await cl.createService({ name: 'scaler', driver: 'exec', command: ['sleep', '1000000'], replicas: 2 });
    await cl.createService({ name: 'roller', driver: 'exec', command: ['sleep', '1000000'], replicas: 3, update: { parallelism: 1 } });
    await waitFor('services running', async () => (await cl.listTasks({ service: 'roller' })).filter((t) => t.status.state === 'running').length === 3, { timeoutMs: 120_000, everyMs: 500 });
    // Warm-up: the first minute is start-up, not steady state.
    await new Promise((r) => setTimeout(r, 60_000));
    const t0 = performance.now();
    await sample(0);
    let next = 1;
    let scale = 2;
    let version = 0;
    while (performance.now() - t0 < minutes * 60_000) {
      const api = c.anyClient();
      try {
        scale = scale >= 6 ? 1 : scale + 1;
        await api.scaleService('scaler', scale);
        ops++;
        if (ops % 6 === 0) {
          const s = await api.getService('roller');
          await api.updateService('roller', { ...s.spec, env: { V: String(++version) } });
        }
      } catch (err) {
        console.log(`churn step failed: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 5_000));
      const min = (performance.now() - t0) / 60_000;
      if (min >= next) {
        await sample(min);
        next = Math.floor(min) + 1;
      }
    }
    await sample((performance.now() - t0) / 60_000);
    commitIndex = (await cl.clusterStatus()).commitIndex;
  } finally {
    await c.stop();
  }
  const logs = [];
  for (const n of c.nodes) {
    const dir = join(n.dataDir, 'raft');
    const store = await LevelRaftStorage.open(dir);
    try {
      const loaded = await store.load();
      logs.push({ node: n.name, bytes: dirBytes(dir), entries: loaded.entries.length, snapshotIndex: loaded.snapshot?.meta.index ?? 0 });
    } finally {
      await store.close();
    }
  }
  rmSync(c.root, { recursive: true, force: true });
  const first = samples[0];
  const last = samples.at(-1)!;
  const worst = (xs: number[]) => Math.max(...xs);
  const result = {
    minutes,
    membership,
    snapshotEvery,
    churnSteps: ops,
    rssStartMb: worst(first.rssMb),
    rssEndMb: worst(last.rssMb),
    heapStartMb: worst(first.heapMb),
    heapEndMb: worst(last.heapMb),
    logBytesEnd: worst(logs.map((l) => l.bytes)),
    logEntriesEnd: worst(logs.map((l) => l.entries)),
    commitIndexEnd: commitIndex,
    logs,
    samples,
  };
  printTable([{ minutes, rssStartMb: result.rssStartMb, rssEndMb: result.rssEndMb, heapStartMb: result.heapStartMb, heapEndMb: result.heapEndMb, logBytesEnd: result.logBytesEnd, logEntriesEnd: result.logEntriesEnd, commitIndexEnd: commitIndex }]);
  writeResult('soak', result);
}
