// `npm run bench -- mesh-failover [--runs N] [--updates N]`: what clients of
// the routing mesh see when a node dies, and during a rolling update, on the
// 5 Docker-in-Docker nodes of the e2e suite. A 6-replica busybox httpd
// service with a health check, published in ingress mode. A client on the
// host sends a steady 200 requests/s (one new connection each) to the ingress
// port of a node that survives. Each run `docker kill`s a node running 2 of
// the 6 replicas and counts failed requests and the error window (first to
// last failure); the failure-detection time is kill -> `node.down` committed
// (read from the state). Then rolling updates of the 6 replicas under the same
// load. Writes bench/results/mesh-failover.json.
//
// The error window is measured on the clients' send times: from the first
// request that failed to the last one that failed, i.e. how long requests
// sent to the service kept failing. A failed request itself ends up to the
// client's 3 s timeout later; that span (first send to last end) is kept as
// errorSpanMs.
import type { Task } from '@shoal/types';
import { percentile, printTable, round, writeResult } from './util.js';
import { loadLibs, runningOn, type LoadResult } from './mesh-cluster.js';

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

/** Failed requests by cause (timeout, ECONNREFUSED, HTTP status, ...). */
function errorKinds(fails: LoadResult[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of fails) {
    const k = f.error ?? `http ${f.status}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

function errorTimeline(fails: LoadResult[], t0: number): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const f of fails) {
    const k = f.error ?? `http ${f.status}`;
    const at = f.at - t0;
    const cur = out[k];
    out[k] = cur ? [Math.min(cur[0], at), Math.max(cur[1], at)] : [at, at];
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Run {
  killed: string;
  requests: number;
  failed: number;
  errorWindowMs: number;
  errorSpanMs: number;
  errors: Record<string, number>;
  /** Per cause: send time of its first and last failed request, ms after the kill. */
  timeline: Record<string, [number, number]>;
  detectMs: number;
  recoverMs: number;
}

export async function main(args: string[]): Promise<void> {
  const runs = arg(args, 'runs', 10);
  const updates = arg(args, 'updates', 3);
  const rate = arg(args, 'rate', 200);
  const { lib, http } = await loadLibs();
  const log = (...a: unknown[]) => console.error('#', ...a);
  const cluster = new lib.ComposeCluster({ log });
  log(`node image ready in ${cluster.buildImage()} ms`);
  await cluster.up();
  try {
    const any = () => cluster.client(cluster.reachable()[0]!);
    const spec = {
      name: 'failweb',
      image: 'shoal-test/busybox:1',
      replicas: 6,
      args: ['httpd', '-f', '-h', '/www'],
      ports: [{ published: 8080, target: 80 }],
      healthcheck: { test: ['CMD-SHELL', 'wget -q -O- localhost/ >/dev/null'], intervalMs: 1000, timeoutMs: 2000, retries: 2 },
      update: { parallelism: 1, delayMs: 0, monitorMs: 1000 },
    };
    await any().createService(spec);
    const six = () =>
      lib.waitFor<Task[] | false>('6 healthy replicas', 180_000, async () => {
        const t = runningOn(await any().listTasks({ service: 'failweb' })).filter((x) => x.status.health === 'healthy');
        return t.length === 6 ? t : false;
      }, 500);
    const results: Run[] = [];
    for (let r = 0; r < runs; r++) {
      const tasks = (await six()) as Task[];
      const per = new Map<number, number>();
      for (const t of tasks) per.set(cluster.indexOf(t.nodeId!), (per.get(cluster.indexOf(t.nodeId!)) ?? 0) + 1);
      const victim = [...per.entries()].find(([, n]) => n === 2)?.[0] ?? [...per.entries()].sort((a, b) => b[1] - a[1])[0]![0];
      const leader = cluster.indexOf((await any().clusterStatus()).leader!.id);
      const survivor = cluster.reachable().find((i) => i !== victim && i !== leader) ?? cluster.reachable().find((i) => i !== victim)!;
      const victimId = tasks.find((t) => cluster.indexOf(t.nodeId!) === victim)!.nodeId!;
      // The survivor may be the node the previous run killed: it serves once its agent has caught up and programmed its rules.
      await lib.waitFor('the survivor answering on the ingress port', 120_000, async () => (await http.get(lib.nodeIp(survivor), 8080)).ok, 250);
      const load = http.steadyLoad([[lib.nodeIp(survivor), 8080]], rate);
      await sleep(2000);
      const killedAt = Date.now();
      await cluster.kill(victim);
      const detected = await lib.waitFor<number | false>('node.down committed', 60_000, async () => ((await cluster.client(survivor).listNodes()).find((n) => n.id === victimId)?.status === 'down' ? Date.now() : false), 100);
      await six();
      const recovered = Date.now();
      await sleep(3000);
      const res: LoadResult[] = await load.stop();
      const fails = res.filter((x) => !x.ok);
      const run: Run = {
        killed: `node${victim + 1}`,
        requests: res.length,
        failed: fails.length,
        errorWindowMs: fails.length ? Math.max(...fails.map((f) => f.at)) - Math.min(...fails.map((f) => f.at)) : 0,
        errorSpanMs: fails.length ? Math.max(...fails.map((f) => f.at + f.ms)) - Math.min(...fails.map((f) => f.at)) : 0,
        errors: errorKinds(fails),
        timeline: errorTimeline(fails, killedAt),
        detectMs: (detected as number) - killedAt,
        recoverMs: recovered - killedAt,
      };
      results.push(run);
      log(`run ${r + 1}/${runs}: ${JSON.stringify(run)}`);
      await cluster.start(victim);
      await lib.waitFor('every node ready', 180_000, async () => (await any().listNodes()).filter((n) => n.status === 'ready').length === lib.SIZE, 1000);
    }
    let rollingUpdateFailed = 0;
    const updateRuns: { requests: number; failed: number; ms: number; errors: Record<string, number> }[] = [];
    for (let u = 0; u < updates; u++) {
      await six();
      // As a load balancer in front of the nodes would: a node that just came back serves once its agent has programmed its rules.
      await lib.waitFor('every node answering on the ingress port', 120_000, async () => (await Promise.all(cluster.reachable().map((i) => http.get(lib.nodeIp(i), 8080)))).every((r) => r.ok), 500);
      const load = http.steadyLoad(cluster.reachable().map((i) => [lib.nodeIp(i), 8080] as [string, number]), rate);
      const t0 = Date.now();
      await any().updateService('failweb', { ...spec, env: { ROLL: String(u + 1) } });
      await lib.waitFor('the update to complete', 300_000, async () => (await any().getService('failweb')).updateStatus?.state === 'completed', 500);
      await six();
      const res: LoadResult[] = await load.stop();
      const failed = res.filter((x) => !x.ok).length;
      rollingUpdateFailed += failed;
      updateRuns.push({ requests: res.length, failed, ms: Date.now() - t0, errors: errorKinds(res.filter((x) => !x.ok)) });
      log(`rolling update ${u + 1}/${updates}: ${res.length} requests, ${failed} failed, ${Date.now() - t0} ms`);
    }
    const windows = results.map((r) => r.errorWindowMs);
    const summary = {
      runs: results,
      errorWindowP99Ms: percentile(windows, 99),
      errorSpanP99Ms: percentile(results.map((r) => r.errorSpanMs), 99),
      detectP50Ms: percentile(results.map((r) => r.detectMs), 50),
      failedRequestsP99: percentile(results.map((r) => r.failed), 99),
      rollingUpdateFailed,
      updates: updateRuns,
      ratePerSecond: rate,
      windowWithinDetectPlus500: results.filter((r) => r.errorWindowMs <= r.detectMs + 500).length,
    };
    printTable(results.map((r, i) => ({ run: i + 1, killed: r.killed, requests: r.requests, failed: r.failed, 'error window ms': r.errorWindowMs, 'span ms': r.errorSpanMs, 'detect ms': r.detectMs, 'recover ms': r.recoverMs })));
    console.log(`error window p99 ${round(summary.errorWindowP99Ms)} ms (goal < 2000), detect p50 ${summary.detectP50Ms} ms, failed p99 ${summary.failedRequestsP99}, window <= detect+500 in ${summary.windowWithinDetectPlus500}/${results.length} runs, rolling updates: ${rollingUpdateFailed} failed over ${updates} updates`);
    writeResult('mesh-failover', summary);
  } finally {
    if (process.env.SHOAL_E2E_KEEP !== '1') await cluster.down_().catch(() => undefined);
  }
}
