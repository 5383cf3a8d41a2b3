// `npm run bench -- detect [--runs 20] [--quiet-ms 30000] [--burners 2]`
// Failure detection on a 5-node loopback cluster (one process, real libp2p):
// 1) time from a node's hard stop to every other node declaring it down;
// 2) false positives (any `down`) over a quiet period while busy-loop child
//    processes load every core. Writes bench/results/detect.json.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createP2PNode, generateClusterSecrets, FailureDetector, type P2PNode } from '@shoal/p2p';
import type { LivenessEvent } from '@shoal/membership';
import { percentile, printTable, round, writeResult } from './util.js';

interface Member {
  node: P2PNode;
  membership: FailureDetector;
  dir: string;
}

function arg(args: string[], name: string, def: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export async function main(args: string[]): Promise<void> {
  const runs = arg(args, 'runs', 20);
  const quietMs = arg(args, 'quiet-ms', 30_000);
  const burners = arg(args, 'burners', 2);
  const { psk } = generateClusterSecrets();
  const allowed = new Set<string>();
  const members: Member[] = [];
  const onEvent: ((observer: string, ev: LivenessEvent) => void)[] = [];

  const addMember = async (): Promise<Member> => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-detect-'));
    const node = await createP2PNode({ dataDir: dir, listen: ['/ip4/127.0.0.1/tcp/0'], psk, allow: (p) => allowed.has(p) });
    allowed.add(node.peerId);
    await node.start();
    const membership = new FailureDetector({
      node,
      heartbeatSource: () => ({
        resources: { total: { cpuMillis: 2000, memoryBytes: 2 ** 31 }, free: { cpuMillis: 2000, memoryBytes: 2 ** 31 } },
        drivers: ['exec'],
        tasks: { running: 0, failed: 0, total: 0 },
        version: 'bench',
      }),
    });
    membership.on('change', (ev) => onEvent.forEach((f) => f(node.peerId, ev)));
    if (process.env.DEBUG_DETECT) membership.on('change', (ev) => console.error(Math.round(performance.now()), node.peerId.slice(-4), ev.nodeId.slice(-4), ev.from, '->', ev.to));
    for (const m of members) {
      m.node.setPeerAddresses(node.peerId, node.addresses());
      node.setPeerAddresses(m.node.peerId, m.node.addresses());
    }
    membership.start();
    const m = { node, membership, dir };
    members.push(m);
    return m;
  };
  const allAlive = () => members.every((a) => members.every((b) => a === b || a.membership.liveness.state(b.node.peerId) === 'alive'));

  for (let i = 0; i < 5; i++) await addMember();
  await until(allAlive, 15_000, 'cluster alive');
  await sleep(3000); // let the detectors learn the heartbeat rhythm

  const detections: number[] = [];
  for (let run = 0; run < runs; run++) {
    const victim = members[Math.floor(Math.random() * members.length)];
    const observers = members.filter((m) => m !== victim);
    const downAt = new Map<string, number>();
    const listener = (observer: string, ev: LivenessEvent) => {
      if (ev.nodeId === victim.node.peerId && ev.to === 'down' && !downAt.has(observer)) downAt.set(observer, performance.now());
    };
    onEvent.push(listener);
    // Stop at a random point of the heartbeat period, as a real crash would.
    await sleep(Math.random() * 500);
    const killedAt = performance.now();
    victim.membership.stop();
    await victim.node.stop();
    await until(() => observers.every((o) => downAt.has(o.node.peerId)), 15_000, `run ${run}: victim down everywhere`);
    detections.push(Math.max(...downAt.values()) - killedAt);
    onEvent.splice(onEvent.indexOf(listener), 1);
    members.splice(members.indexOf(victim), 1);
    for (const o of observers) {
      o.membership.liveness.forget(victim.node.peerId);
      await o.node.forgetPeer(victim.node.peerId);
    }
    allowed.delete(victim.node.peerId);
    rmSync(victim.dir, { recursive: true, force: true });
    await addMember();
    await until(allAlive, 15_000, 'replacement alive').catch((err) => {
      for (const a of members) {
        const view = members.filter((b) => b !== a).map((b) => `${b.node.peerId.slice(-4)}:${a.membership.liveness.state(b.node.peerId)}`);
        console.error(a.node.peerId.slice(-4), 'conns', a.node.connectedPeers().length, view.join(' '), JSON.stringify(a.node.stats().heartbeats));
      }
      throw err;
    });
    await sleep(2000);
  }

  // Quiet period under CPU load: nothing may be declared down.
  let falsePositives = 0;
  let suspicions = 0;
  const quiet = (_observer: string, ev: LivenessEvent) => {
    if (ev.to === 'down') falsePositives++;
    if (ev.to === 'suspect') suspicions++;
  };
  onEvent.push(quiet);
  const children: ChildProcess[] = [];
  for (let i = 0; i < burners; i++) children.push(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  await sleep(quietMs);
  for (const c of children) c.kill('SIGKILL');

  for (const m of members) {
    m.membership.stop();
    await m.node.stop();
    rmSync(m.dir, { recursive: true, force: true });
  }
  const result = {
    p50Ms: round(percentile(detections, 50)),
    p99Ms: round(percentile(detections, 99)),
    maxMs: round(Math.max(...detections)),
    runs: detections.length,
    falsePositives,
    suspicionsUnderLoad: suspicions,
    quietMs,
    burners,
    nodes: 5,
    heartbeatMs: 500,
  };
  printTable([result]);
  writeResult('detect', result);
  process.exit(0);
}
