/**
 * The real (pure) SWIM code of @shoal/membership for N nodes on a simulated
 * network: per-message latency, packet loss, a few slow nodes (every message
 * they send or handle waits longer), and nodes killed one after another.
 * Node n0 plays the Raft leader: it confirms a dead node itself
 * (DownConfirmer + Swim.check) before "committing" node.down, which is what
 * detection time measures. Deterministic per seed.
 */
import { DownConfirmer, Swim, type Outbound } from '@shoal/membership';
import { EventQueue } from '../event-queue.js';
import { Rng } from '../rng.js';

export interface SwimSimOptions {
  nodes: number;
  seed?: number;
  /** Nodes killed, one every killEveryMs after warmupMs. */
  kills?: number;
  killEveryMs?: number;
  warmupMs?: number;
  /** Time after the last kill to let detection finish. */
  tailMs?: number;
  lossRate?: number;
  latencyMs?: [number, number];
  slowNodes?: number;
  slowExtraMs?: [number, number];
}

export interface SwimSimResult {
  nodes: number;
  kills: number;
  simulatedSec: number;
  /** Messages each live node received (and, about equally, sent) per second, mean over nodes. */
  msgsPerNodePerSec: number;
  msgsPerNodePerSecMax: number;
  /** Kill -> leader commits node.down (after its own check). */
  detectP50Ms: number;
  detectP99Ms: number;
  /** Kill -> first node anywhere declares it dead. */
  firstDeadP50Ms: number;
  /** First dead declaration -> every live node knows it is dead. */
  disseminationP50Ms: number;
  disseminationP99Ms: number;
  undetected: number;
  /** Live nodes the leader committed down. */
  falsePositives: number;
  /** Live nodes some member declared dead (refuted before or without a commit). */
  deadDeclaredAlive: number;
  suspicionsOfLive: number;
  refutations: number;
  wallSec: number;
}

export function runSwimSim(o: SwimSimOptions): SwimSimResult {
  const started = globalThis.performance.now();
  const n = o.nodes;
  const rng = new Rng(o.seed ?? 1);
  const q = new EventQueue();
  const now = () => q.now;
  const kills = Math.min(o.kills ?? 20, n - 2);
  const killEvery = o.killEveryMs ?? 1_000;
  const warmup = o.warmupMs ?? 4_000;
  const tail = o.tailMs ?? 6_000;
  const loss = o.lossRate ?? 0.01;
  const [latLo, latHi] = o.latencyMs ?? [0.2, 2];
  const [slowLo, slowHi] = o.slowExtraMs ?? [10, 120];
  const ids = Array.from({ length: n }, (_, i) => `n${i}`);
  const index = new Map(ids.map((id, i) => [id, i]));
  const incarnations = ids.map((_, i) => 1_000 + i);
  const swims = ids.map(
    (id, i) => new Swim({ selfId: id, incarnation: incarnations[i], now, config: { joinGraceMs: 0 }, rng: ((r) => () => r.next())(new Rng((o.seed ?? 1) * 7919 + i)) }),
  );
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) if (j !== i) swims[i].add(ids[j], incarnations[j]);
    swims[i].takeEvents();
  }
  const slow = new Set<number>();
  while (slow.size < Math.min(o.slowNodes ?? 5, n - kills - 1)) slow.add(1 + rng.int(n - 1));
  const dead = new Set<number>();
  const killedAt = new Map<number, number>();
  const firstDeadAt = new Map<number, number>();
  const learnedDeadAt = new Map<number, Map<number, number>>();
  const committedAt = new Map<number, number>();
  let falsePositives = 0;
  const deadDeclaredAlive = new Set<number>();
  let suspicionsOfLive = 0;
  const received = new Float64Array(n);
  let measuring = false;
  let measureFrom = 0;
  const confirmer = new DownConfirmer(now);
  const scheduled = new Float64Array(n).fill(Infinity);

  const uni = (lo: number, hi: number) => lo + rng.next() * (hi - lo);
  const extra = (i: number) => (slow.has(i) ? uni(slowLo, slowHi) : 0);
  const deliver = (from: number, out: Outbound[]) => {
    for (const { to, msg } of out) {
      const j = index.get(to)!;
      if (rng.chance(loss)) continue;
      q.after(uni(latLo, latHi) + extra(from) + extra(j), () => {
        if (dead.has(j)) return;
        if (measuring) received[j]++;
        after(j, swims[j].receive(ids[from], msg));
      });
    }
  };
  const after = (i: number, out: Outbound[]) => {
    deliver(i, out);
    drainEvents(i);
    const w = Math.max(swims[i].nextWakeAt(), q.now + 0.1);
    if (w < scheduled[i]) {
      scheduled[i] = w;
      q.after(w - q.now, () => {
        if (scheduled[i] !== w || dead.has(i)) return;
        scheduled[i] = Infinity;
        after(i, swims[i].tick());
      });
    }
  };
  const drainEvents = (i: number) => {
    for (const e of swims[i].takeEvents()) {
      if (globalThis.process?.env.SWIM_TRACE === e.nodeId) console.log(`t=${q.now.toFixed(1)} n${i} sees ${e.nodeId} ${e.from}->${e.to} inc ${e.incarnation}`);
      const v = index.get(e.nodeId)!;
      if (e.to === 'dead') {
        if (!dead.has(v)) {
          deadDeclaredAlive.add(v);
          if (globalThis.process?.env.SWIM_DEBUG) console.log(`t=${q.now.toFixed(0)} n${i}${slow.has(i) ? "(slow)" : ""} declared live n${v}${slow.has(v) ? "(slow)" : ""} dead inc ${e.incarnation}, its inc ${swims[v].incarnation}, health ${swims[i].healthScore}`);
        }
        else {
          if (!firstDeadAt.has(v)) firstDeadAt.set(v, q.now);
          let m = learnedDeadAt.get(v);
          if (!m) learnedDeadAt.set(v, (m = new Map()));
          if (!m.has(i)) m.set(i, q.now);
        }
      }
      if (e.to === 'suspect' && !dead.has(v)) suspicionsOfLive++;
      if (i === 0) leaderActs(confirmer.onEvent(e));
    }
    if (i === 0) for (const r of swims[0].takeCheckResults()) leaderActs(confirmer.onCheck(r));
  };
  const leaderActs = (actions: ReturnType<DownConfirmer['onEvent']>) => {
    for (const a of actions) {
      if (a.kind === 'check') deliver(0, swims[0].check(a.nodeId));
      else {
        const v = index.get(a.nodeId)!;
        if (!dead.has(v)) falsePositives++;
        else if (!committedAt.has(v)) committedAt.set(v, q.now);
      }
    }
  };

  for (let i = 0; i < n; i++) after(i, []);
  q.runUntil(warmup / 2);
  measuring = true;
  measureFrom = q.now;
  q.runUntil(warmup);
  const measureSec = (q.now - measureFrom) / 1000;
  measuring = false;
  const idleRecv = [...received].map((r) => r / measureSec);
  const victims: number[] = [];
  while (victims.length < kills) {
    const v = 1 + rng.int(n - 1);
    if (!slow.has(v) && !victims.includes(v)) victims.push(v);
  }
  for (const v of victims) {
    dead.add(v);
    killedAt.set(v, q.now);
    q.runUntil(q.now + killEvery);
  }
  q.runUntil(q.now + tail);

  const detect = victims.filter((v) => committedAt.has(v)).map((v) => committedAt.get(v)! - killedAt.get(v)!);
  const firstDead = victims.filter((v) => firstDeadAt.has(v)).map((v) => firstDeadAt.get(v)! - killedAt.get(v)!);
  // Dissemination: until the last node alive at the end learned of the death.
  const survivors = ids.map((_, i) => i).filter((i) => !dead.has(i));
  const spread: number[] = [];
  for (const v of victims) {
    const m = learnedDeadAt.get(v);
    if (!m || !survivors.every((i) => m.has(i))) continue;
    spread.push(Math.max(...survivors.map((i) => m.get(i)!)) - firstDeadAt.get(v)!);
  }
  let refutations = 0;
  for (const s of swims) refutations += s.stats.refutations;
  return {
    nodes: n,
    kills,
    simulatedSec: q.now / 1000,
    msgsPerNodePerSec: round(mean(idleRecv)),
    msgsPerNodePerSecMax: round(Math.max(...idleRecv)),
    detectP50Ms: round(pct(detect, 50)),
    detectP99Ms: round(pct(detect, 99)),
    firstDeadP50Ms: round(pct(firstDead, 50)),
    disseminationP50Ms: round(pct(spread, 50)),
    disseminationP99Ms: round(pct(spread, 99)),
    undetected: kills - detect.length,
    falsePositives,
    deadDeclaredAlive: deadDeclaredAlive.size,
    suspicionsOfLive,
    refutations,
    wallSec: round((globalThis.performance.now() - started) / 1000),
  };
}

function mean(a: number[]): number {
  return a.length === 0 ? 0 : a.reduce((x, y) => x + y, 0) / a.length;
}

function pct(a: number[], p: number): number {
  if (a.length === 0) return NaN;
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
