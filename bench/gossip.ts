// `npm run bench -- gossip [--sizes 5,20,50] [--rounds 40]`
// Heartbeat dissemination: time from one node publishing a heartbeat to the
// last node of the cluster receiving it, over real libp2p + gossipsub on
// loopback (all nodes in this one process, fully connected as the address
// book keeps them). Writes bench/results/gossip.json.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createP2PNode, generateClusterSecrets, type P2PNode } from '@shoal/p2p';
import type { Heartbeat } from '@shoal/membership';
import { percentile, printTable, round, writeResult } from './util.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function heartbeat(nodeId: string, seq: number): Heartbeat {
  return {
    nodeId,
    incarnation: 1,
    seq,
    sentAt: Date.now(),
    resources: { total: { cpuMillis: 2000, memoryBytes: 2 ** 31 }, free: { cpuMillis: 1500, memoryBytes: 2 ** 30 } },
    drivers: ['docker', 'exec'],
    tasks: { running: 3, failed: 0, total: 3 },
    version: '0.1.0',
  };
}

async function measure(n: number, rounds: number): Promise<{ nodes: number; meshMs: number; loadAvg: number; p50Ms: number; p99Ms: number; maxMs: number; rounds: number; lost: number }> {
  const { psk } = generateClusterSecrets();
  const allowed = new Set<string>();
  const dirs: string[] = [];
  const nodes: P2PNode[] = [];
  for (let i = 0; i < n; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-gossip-'));
    dirs.push(dir);
    const node = await createP2PNode({ dataDir: dir, listen: ['/ip4/127.0.0.1/tcp/0'], psk, allow: (p) => allowed.has(p) });
    allowed.add(node.peerId);
    await node.start();
    nodes.push(node);
  }
  for (const a of nodes) for (const b of nodes) if (a !== b) a.setPeerAddresses(b.peerId, b.addresses());
  const deadline = performance.now() + 60_000;
  while (!nodes.every((x) => x.stats().topicPeers >= n - 1) && performance.now() < deadline) await sleep(100);
  const meshMs = round(performance.now() - (deadline - 60_000));
  await sleep(2000); // mesh grafted, start-up work (identify, handshakes) done

  // arrivals[key] = receive times at every node but the publisher
  const arrivals = new Map<string, number[]>();
  for (const node of nodes) node.onHeartbeat((hb) => arrivals.get(`${hb.nodeId}/${hb.seq}`)?.push(performance.now()));
  const latencies: number[] = [];
  let lost = 0;
  for (let r = 1; r <= rounds; r++) {
    const publisher = nodes[r % n];
    const key = `${publisher.peerId}/${r}`;
    const times: number[] = [];
    arrivals.set(key, times);
    const t0 = performance.now();
    await publisher.publishHeartbeat(heartbeat(publisher.peerId, r));
    const wait = performance.now() + 5000;
    while (times.length < n - 1 && performance.now() < wait) await sleep(1);
    if (times.length < n - 1) lost++;
    else latencies.push(Math.max(...times) - t0);
    if (process.env.DEBUG_GOSSIP) console.error(n, r, round(Math.max(...times) - t0), times.length);
    arrivals.delete(key);
    await sleep(100 + Math.random() * 100);
  }
  await Promise.allSettled(nodes.map((x) => x.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  return { nodes: n, meshMs, loadAvg: round(loadavg()[0]), p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)), maxMs: round(Math.max(...latencies)), rounds, lost };
}

export async function main(args: string[]): Promise<void> {
  const i = args.indexOf('--sizes');
  const sizes = i >= 0 ? args[i + 1].split(',').map(Number) : [5, 20, 50];
  const j = args.indexOf('--rounds');
  const rounds = j >= 0 ? Number(args[j + 1]) : 40;
  const cases = [];
  for (const n of sizes) {
    cases.push(await measure(n, rounds));
    printTable(cases);
  }
  writeResult('gossip', { cases, note: 'all nodes in one process on loopback; serf comparison: see anchors.md (not run here)' });
  process.exit(0);
}
