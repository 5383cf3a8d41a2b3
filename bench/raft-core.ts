// Pure Raft core throughput: 3 RaftNodes in one process, messages through the
// binary codec, in-memory "disks" (no fsync: this isolates the consensus
// core; `npm run bench -- raft` measures it on LevelDB). Closed loop: each of
// `concurrency` clients proposes a 128-byte command and proposes again as
// soon as the leader applies it.
//   npm run bench -- raft-core [--duration 3000] [--concurrency 1,16,256,1024] [--no-codec]
import { performance } from 'node:perf_hooks';
import { RaftNode, decodeMessage, encodeMessage, type Message } from '@shoal/raft';
import { percentile, printTable, round, writeResult } from './util.js';

const PAYLOAD = 128;
const IDS = ['n1', 'n2', 'n3'];

interface Case {
  concurrency: number;
  commitsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  entriesPerReady: number;
}

function cluster(): Map<string, RaftNode> {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const nodes = new Map<string, RaftNode>();
  for (const id of IDS) {
    nodes.set(id, new RaftNode({
      id, electionTick: 10, heartbeatTick: 1, random,
      persisted: { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [], conf: { voters: IDS, learners: [] } },
    }));
  }
  return nodes;
}

function run(concurrency: number, durationMs: number, codec: boolean): Case {
  const nodes = cluster();
  const leaderId = 'n1';
  nodes.get(leaderId)!.campaign();
  let queue: Message[] = [];
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let readies = 0;
  let readyEntries = 0;
  let outstanding = 0;
  let commits = 0;
  const payload = new Uint8Array(PAYLOAD).fill(0x61);
  const compacted = new Map(IDS.map((id) => [id, 0]));
  const pump = (now: number): void => {
    for (const [id, n] of nodes) {
      if (!n.hasReady()) continue;
      const rd = n.ready();
      if (id === leaderId && rd.entries.length > 0) {
        readies++;
        readyEntries += rd.entries.length;
      }
      for (const m of rd.messages) queue.push(codec ? decodeMessage(encodeMessage(m)) : m);
      if (id === leaderId) {
        for (const e of rd.committedEntries) {
          const t = sentAt.get(e.index);
          if (t === undefined) continue;
          sentAt.delete(e.index);
          latencies.push(now - t);
          outstanding--;
          commits++;
        }
      }
      n.advance(rd);
      // Compact like a real host would, so the log does not grow without bound.
      const applied = n.status().applied;
      if (applied - compacted.get(id)! >= 20_000) {
        n.compact(applied - 1000, new Uint8Array(0));
        compacted.set(id, applied - 1000);
      }
    }
    const batch = queue;
    queue = [];
    for (const m of batch) nodes.get(m.to)!.step(m);
  };
  for (let i = 0; i < 20 && nodes.get(leaderId)!.status().role !== 'leader'; i++) pump(performance.now());
  const leader = nodes.get(leaderId)!;
  if (leader.status().role !== 'leader') throw new Error('no leader');
  const start = performance.now();
  let lastTick = start;
  let now = start;
  while (now - start < durationMs) {
    while (outstanding < concurrency) {
      sentAt.set(leader.propose(payload).index, now);
      outstanding++;
    }
    pump(now);
    now = performance.now();
    // Logical ticks every 10 ms keep heartbeats and check-quorum realistic.
    if (now - lastTick >= 10) {
      lastTick = now;
      for (const n of nodes.values()) n.tick();
    }
  }
  const secs = (now - start) / 1000;
  return {
    concurrency,
    commitsPerSec: Math.round(commits / secs),
    p50Ms: round(percentile(latencies, 50), 3),
    p99Ms: round(percentile(latencies, 99), 3),
    entriesPerReady: round(readyEntries / Math.max(1, readies), 1),
  };
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export async function main(args: string[]): Promise<void> {
  const durationMs = Number(option(args, '--duration') ?? 3000);
  const concurrencies = (option(args, '--concurrency') ?? '1,16,256,1024').split(',').map(Number);
  const codec = !args.includes('--no-codec');
  console.log(`raft-core: 3 in-process RaftNodes, ${PAYLOAD}-byte proposals, codec ${codec ? 'on' : 'off'}, no disk, ${durationMs} ms per case`);
  const cases = concurrencies.map((c) => run(c, durationMs, codec));
  printTable(cases.map((c) => ({ concurrency: c.concurrency, 'commits/s': c.commitsPerSec, 'p50 ms': c.p50Ms, 'p99 ms': c.p99Ms, 'entries/ready': c.entriesPerReady })));
  writeResult('raft-core', { payloadBytes: PAYLOAD, durationMs, codec, cases });
}
