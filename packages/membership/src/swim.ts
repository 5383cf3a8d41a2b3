/**
 * One node's SWIM membership with Lifeguard, as a pure state machine (the
 * clock, randomness, signing and the network are injected; memberlist is
 * the model). Every protocol period it probes ONE member: a direct ping,
 * then k indirect pings (ping-req) if no ack came within the probe timeout.
 * A member that answered neither becomes suspect; suspicion is gossiped
 * piggybacked on pings and acks (and by a small gossip loop while updates
 * are pending) and turns into dead after a timeout that shrinks as other
 * members independently confirm it (Lifeguard). A member refutes a
 * suspicion of itself by raising its incarnation. Local health (awareness)
 * stretches this node's own timeouts when its probes fail without nacks.
 *
 * Per node and period: one ping out, on average one ping in, their acks,
 * and k ping-reqs only after a failed direct probe. That is constant in the
 * cluster size N; only the suspicion timeout and the retransmit count grow,
 * as log10 N.
 */
import { Awareness } from './awareness.js';
import { RttEstimator } from './rtt.js';
import { BroadcastQueue } from './broadcast-queue.js';
import { retransmitLimit, suspicionMinMs, suspicionTimeoutMs, SWIM_DEFAULTS, type SwimConfig } from './swim-config.js';
import type { MemberStatus, MemberUpdate, SwimMessage } from './swim-messages.js';

export interface SwimOptions {
  selfId: string;
  /** This life's incarnation; a restart must start higher (the daemon uses its start time). */
  incarnation: number;
  now: () => number;
  /** Uniform in [0, 1). */
  rng: () => number;
  config?: Partial<SwimConfig>;
  /** Signs an update this node originates; the result travels as `sig`. */
  sign?: (u: MemberUpdate) => string;
  /** Checks an update's `sig` against `u.from`; updates failing it are dropped. */
  verify?: (u: MemberUpdate) => boolean;
  /**
   * Accept messages from senders that are not members yet (and add them):
   * set when the transport already admits only cluster members, so a node
   * that just joined is answered before the cluster state reaches us.
   */
  admitUnknown?: boolean;
}

export interface Outbound {
  to: string;
  msg: SwimMessage;
}

export interface MemberEvent {
  nodeId: string;
  from: MemberStatus | 'unknown';
  to: MemberStatus;
  incarnation: number;
}

export interface CheckResult {
  nodeId: string;
  reachable: boolean;
}

export interface SwimStats {
  sent: number;
  received: number;
  rateLimited: number;
  badSignature: number;
  refutations: number;
}

interface Member {
  status: MemberStatus;
  incarnation: number;
  addedAt: number;
  suspicion?: { start: number; min: number; max: number; k: number; accuser: string; confirmers: Set<string> };
}

interface Probe {
  target: string;
  seq: number;
  start: number;
  indirectAt: number;
  endAt: number;
  indirect: boolean;
  expectedNacks: number;
  nacks: number;
}

interface Relay {
  requester: string;
  seq: number;
  deadline: number;
}

/** Direct probes remembered for timing late acks: a few protocol periods' worth. */
const RECENT_PROBES = 16;

export class Swim {
  readonly selfId: string;
  readonly stats: SwimStats = { sent: 0, received: 0, rateLimited: 0, badSignature: 0, refutations: 0 };
  private readonly cfg: SwimConfig;
  private readonly now: () => number;
  private readonly rng: () => number;
  private readonly sign?: (u: MemberUpdate) => string;
  private readonly verify?: (u: MemberUpdate) => boolean;
  private readonly admitUnknown: boolean;
  private readonly awareness: Awareness;
  private readonly rtt: RttEstimator;
  /** Recent direct probes by seq, to time their acks (late ones too). */
  private readonly probesSent = new Map<number, { target: string; start: number }>();
  private readonly members = new Map<string, Member>();
  private readonly queue = new BroadcastQueue();
  private readonly suspects = new Set<string>();
  private readonly relays = new Map<number, Relay>();
  private readonly checks = new Map<number, { target: string; deadline: number }>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private probeOrder: string[] = [];
  private probeIndex = 0;
  private probe: Probe | null = null;
  private nextProbeAt: number;
  private nextGossipAt: number;
  private seq = 0;
  private inc: number;
  private out: Outbound[] = [];
  private events: MemberEvent[] = [];
  private results: CheckResult[] = [];

  constructor(opts: SwimOptions) {
    this.selfId = opts.selfId;
    this.inc = opts.incarnation;
    this.now = opts.now;
    this.rng = opts.rng;
    this.sign = opts.sign;
    this.verify = opts.verify;
    this.admitUnknown = opts.admitUnknown ?? false;
    this.cfg = { ...SWIM_DEFAULTS, ...opts.config };
    this.awareness = new Awareness(this.cfg.awarenessMaxMultiplier);
    this.rtt = new RttEstimator(this.cfg.probeTimeoutMs, this.cfg.maxProbeTimeoutMs);
    const t = this.now();
    // Spread the first probes over a period so nodes started together do not probe in lockstep.
    this.nextProbeAt = t + this.rng() * this.cfg.probeIntervalMs;
    this.nextGossipAt = t;
    this.broadcast({ status: 'alive', node: this.selfId, incarnation: this.inc, from: this.selfId });
  }

  get incarnation(): number {
    return this.inc;
  }

  get healthScore(): number {
    return this.awareness.score;
  }

  /** Members this node knows, not counting itself. */
  get size(): number {
    return this.members.size;
  }

  /**
   * Adds a member (from the cluster state or a join) as alive, at its known
   * incarnation if any; its own alive update with a higher one wins later.
   */
  /** Whether `nodeId` is a member this node probes (any status). */
  has(nodeId: string): boolean {
    return this.members.has(nodeId);
  }

  add(nodeId: string, incarnation = 0): void {
    if (nodeId === this.selfId || this.members.has(nodeId)) return;
    this.members.set(nodeId, { status: 'alive', incarnation, addedAt: this.now() });
    // A random slot in the rest of this round (a new member is probed within one round);
    // swap, not splice: adding N members must not cost O(N^2).
    const at = this.probeIndex + Math.floor(this.rng() * (this.probeOrder.length - this.probeIndex + 1));
    this.probeOrder.push(nodeId);
    const last = this.probeOrder.length - 1;
    if (at < last) [this.probeOrder[at], this.probeOrder[last]] = [this.probeOrder[last], this.probeOrder[at]];
    this.events.push({ nodeId, from: 'unknown', to: 'alive', incarnation });
  }

  /** Forgets a member removed from the cluster. */
  remove(nodeId: string): void {
    if (!this.members.delete(nodeId)) return;
    this.suspects.delete(nodeId);
    const j = this.probeOrder.indexOf(nodeId);
    if (j >= 0) {
      this.probeOrder.splice(j, 1);
      if (j < this.probeIndex) this.probeIndex--;
    }
  }

  status(nodeId: string): MemberStatus | undefined {
    return nodeId === this.selfId ? 'alive' : this.members.get(nodeId)?.status;
  }

  incarnationOf(nodeId: string): number | undefined {
    return nodeId === this.selfId ? this.inc : this.members.get(nodeId)?.incarnation;
  }

  memberList(): { nodeId: string; status: MemberStatus; incarnation: number }[] {
    return [...this.members].map(([nodeId, m]) => ({ nodeId, status: m.status, incarnation: m.incarnation }));
  }

  /** Liveness changes since the last call. */
  takeEvents(): MemberEvent[] {
    const e = this.events;
    this.events = [];
    return e;
  }

  /** Outcomes of `check` since the last call. */
  takeCheckResults(): CheckResult[] {
    const r = this.results;
    this.results = [];
    return r;
  }

  /**
   * Probes a member now, directly and through k others at once, outside the
   * protocol period: the leader's confirmation before it commits node.down.
   * The outcome comes from takeCheckResults() within three probe timeouts.
   */
  check(nodeId: string): Outbound[] {
    const seq = ++this.seq;
    const wait = this.probeTimeout() * 3;
    this.checks.set(seq, { target: nodeId, deadline: this.now() + wait });
    this.send(nodeId, { type: 'ping', seq, updates: this.withNewsFor(nodeId) });
    for (const via of this.pickRandom(this.cfg.indirectChecks, nodeId)) this.send(via, { type: 'ping-req', seq, target: nodeId, updates: this.piggyback() });
    return this.flush();
  }

  /** The cluster state says this node is down: raise the incarnation and tell everyone. */
  refuteNow(): Outbound[] {
    this.refute(this.inc);
    return this.flush();
  }

  /**
   * Evidence of life that came over an authenticated direct channel (the
   * node's own heartbeat RPC): updates the local view only, nothing is
   * gossiped on its behalf (it was not signed as an update).
   */
  vouch(nodeId: string, incarnation: number): void {
    const m = this.members.get(nodeId);
    if (!m || incarnation <= m.incarnation) return;
    const from = m.status;
    m.incarnation = incarnation;
    m.status = 'alive';
    delete m.suspicion;
    this.suspects.delete(nodeId);
    if (from !== 'alive') this.events.push({ nodeId, from, to: 'alive', incarnation });
  }

  /** When tick() next has something to do. */
  nextWakeAt(): number {
    let at = this.probe ? (this.probe.indirect ? this.probe.endAt : this.probe.indirectAt) : this.nextProbeAt;
    if (this.queue.size > 0) at = Math.min(at, this.nextGossipAt);
    for (const id of this.suspects) {
      const s = this.members.get(id)?.suspicion;
      if (s) at = Math.min(at, s.start + suspicionTimeoutMs(s.min, s.max, s.confirmers.size, s.k));
    }
    for (const r of this.relays.values()) at = Math.min(at, r.deadline);
    for (const c of this.checks.values()) at = Math.min(at, c.deadline);
    return at;
  }

  tick(): Outbound[] {
    const now = this.now();
    for (const [seq, r] of this.relays) {
      if (now < r.deadline) continue;
      this.relays.delete(seq);
      this.send(r.requester, { type: 'nack', seq: r.seq });
    }
    for (const [seq, c] of this.checks) {
      if (now < c.deadline) continue;
      this.checks.delete(seq);
      this.results.push({ nodeId: c.target, reachable: false });
    }
    this.advanceProbe(now);
    for (const id of [...this.suspects]) {
      const m = this.members.get(id);
      const s = m?.suspicion;
      if (!m || !s) {
        this.suspects.delete(id);
        continue;
      }
      if (now >= s.start + suspicionTimeoutMs(s.min, s.max, s.confirmers.size, s.k)) {
        this.applyDead({ status: 'dead', node: id, incarnation: m.incarnation, from: this.selfId }, true);
      }
    }
    if (now >= this.nextGossipAt) {
      this.nextGossipAt = now + this.cfg.gossipIntervalMs;
      if (this.queue.size > 0) {
        for (const to of this.pickRandom(this.cfg.gossipNodes)) {
          const updates = this.piggyback();
          if (updates.length === 0) break;
          this.send(to, { type: 'gossip', updates });
        }
      }
    }
    return this.flush();
  }

  /** A message from `from`, whom the transport has authenticated. */
  receive(from: string, msg: SwimMessage): Outbound[] {
    if (from === this.selfId) return [];
    if (!this.members.has(from)) {
      if (!this.admitUnknown) return [];
      this.add(from);
    }
    if (!this.takeToken(from)) {
      this.stats.rateLimited++;
      return [];
    }
    this.stats.received++;
    if (msg.type !== 'nack') for (const u of msg.updates) this.applyUpdate(u);
    switch (msg.type) {
      case 'ping':
        // A member we hold dead (or suspect) is talking: tell it, so it can refute.
        this.send(from, { type: 'ack', seq: msg.seq, updates: this.withNewsFor(from) });
        break;
      case 'ping-req': {
        const seq = ++this.seq;
        // The nack must reach the requester before its probe ends (memberlist nacks at 80 %).
        this.relays.set(seq, { requester: from, seq: msg.seq, deadline: this.now() + 0.8 * this.probeTimeout() });
        this.send(msg.target, { type: 'ping', seq, updates: this.piggyback() });
        break;
      }
      case 'ack':
        this.timeAck(from, msg.seq);
        this.onAck(msg.seq);
        break;
      case 'nack':
        if (this.probe && this.probe.seq === msg.seq) this.probe.nacks++;
        break;
      case 'gossip':
        break;
    }
    return this.flush();
  }

  /**
   * A direct ack times the round trip, even one that came after the probe
   * gave up on it: exactly those teach the estimator that acks are slow now.
   */
  private timeAck(from: string, seq: number): void {
    const p = this.probesSent.get(seq);
    if (!p || p.target !== from) return;
    this.probesSent.delete(seq);
    this.rtt.observe(this.now() - p.start);
  }

  private onAck(seq: number): void {
    const relay = this.relays.get(seq);
    if (relay) {
      this.relays.delete(seq);
      this.send(relay.requester, { type: 'ack', seq: relay.seq, updates: this.piggyback() });
      return;
    }
    const check = this.checks.get(seq);
    if (check) {
      this.checks.delete(seq);
      this.results.push({ nodeId: check.target, reachable: true });
      return;
    }
    if (this.probe && this.probe.seq === seq) {
      this.probe = null;
      this.awareness.apply(-1);
    }
  }

  private advanceProbe(now: number): void {
    const p = this.probe;
    if (p && !p.indirect && now >= p.indirectAt) {
      p.indirect = true;
      const helpers = this.pickRandom(this.cfg.indirectChecks, p.target);
      p.expectedNacks = helpers.length;
      for (const via of helpers) this.send(via, { type: 'ping-req', seq: p.seq, target: p.target, updates: this.piggyback() });
    }
    if (p && p.indirect && now >= p.endAt) {
      this.probe = null;
      // No ack at all. Missing nacks mean our own messages are not getting through: blame ourselves first.
      this.awareness.apply(p.expectedNacks > 0 ? p.expectedNacks - p.nacks : 1);
      const m = this.members.get(p.target);
      // Already suspect: our failed probe is an independent confirmation (Lifeguard).
      if (m && m.status !== 'dead' && now - m.addedAt >= this.cfg.joinGraceMs) this.applySuspect({ status: 'suspect', node: p.target, incarnation: m.incarnation, from: this.selfId }, true);
    }
    if (this.probe || now < this.nextProbeAt) return;
    const interval = this.awareness.scale(this.cfg.probeIntervalMs);
    this.nextProbeAt = now + interval;
    const target = this.nextTarget();
    if (!target) return;
    const seq = ++this.seq;
    const timeout = this.probeTimeout();
    // The indirect round needs a timeout of its own (relay -> target -> relay), and the helpers' nacks time to come back.
    const endAt = Math.max(now + interval, now + 3 * timeout);
    this.probe = { target, seq, start: now, indirectAt: now + timeout, endAt, indirect: false, expectedNacks: 0, nacks: 0 };
    this.probesSent.set(seq, { target, start: now });
    if (this.probesSent.size > RECENT_PROBES) this.probesSent.delete(this.probesSent.keys().next().value!);
    this.send(target, { type: 'ping', seq, updates: this.withNewsFor(target) });
  }

  /** Ack timeout: the measured round trips (RttEstimator), stretched by local health. */
  private probeTimeout(): number {
    return this.awareness.scale(this.rtt.timeoutMs());
  }

  /** Round-robin over a shuffled member list (every member probed once per round), skipping the dead. */
  private nextTarget(): string | undefined {
    for (let tries = 0; tries <= this.probeOrder.length; tries++) {
      if (this.probeIndex >= this.probeOrder.length) {
        this.shuffle(this.probeOrder);
        this.probeIndex = 0;
        if (this.probeOrder.length === 0) return undefined;
      }
      const id = this.probeOrder[this.probeIndex++];
      const m = this.members.get(id);
      if (m && m.status !== 'dead') return id;
    }
    return undefined;
  }

  private applyUpdate(u: MemberUpdate): void {
    if (this.verify && !this.verify(u)) {
      this.stats.badSignature++;
      return;
    }
    if (u.status === 'alive') this.applyAlive(u);
    else if (u.status === 'suspect') this.applySuspect(u, false);
    else this.applyDead(u, false);
  }

  private applyAlive(u: MemberUpdate): void {
    // Only a node vouches for itself: an alive claim signed by someone else is ignored.
    if (u.from !== u.node || u.node === this.selfId) return;
    const m = this.members.get(u.node);
    if (!m || u.incarnation <= m.incarnation) return;
    const from = m.status;
    m.incarnation = u.incarnation;
    m.status = 'alive';
    delete m.suspicion;
    this.suspects.delete(u.node);
    this.queue.push(u);
    if (from !== 'alive') this.events.push({ nodeId: u.node, from, to: 'alive', incarnation: u.incarnation });
  }

  private applySuspect(u: MemberUpdate, own: boolean): void {
    if (u.node === this.selfId) return this.refute(u.incarnation, u.from);
    const m = this.members.get(u.node);
    if (!m || u.incarnation < m.incarnation || m.status === 'dead') return;
    if (m.status === 'suspect' && m.suspicion) {
      // Another member independently failed to reach it: shorten the timeout and pass the news on.
      const s = m.suspicion;
      if (u.from !== s.accuser && !s.confirmers.has(u.from) && s.confirmers.size < s.k) {
        s.confirmers.add(u.from);
        this.queue.push(own ? this.signed(u) : u);
      }
      return;
    }
    const n = this.members.size + 1;
    const min = suspicionMinMs(this.cfg, n);
    // With few members there are few independent probers: do not wait for confirmations that cannot come.
    const k = n - 2 < this.cfg.indirectChecks ? 0 : this.cfg.indirectChecks;
    m.status = 'suspect';
    m.incarnation = u.incarnation;
    m.suspicion = { start: this.now(), min, max: min * this.cfg.suspicionMaxTimeoutMult, k, accuser: u.from, confirmers: new Set() };
    this.suspects.add(u.node);
    const news = own ? this.signed(u) : u;
    this.queue.push(news);
    // Tell the accused at once so it can refute before the timeout (Lifeguard's buddy system).
    if (own) this.send(u.node, { type: 'gossip', updates: [news] });
    this.events.push({ nodeId: u.node, from: 'alive', to: 'suspect', incarnation: u.incarnation });
  }

  private applyDead(u: MemberUpdate, own: boolean): void {
    if (u.node === this.selfId) return this.refute(u.incarnation, u.from);
    const m = this.members.get(u.node);
    if (!m || u.incarnation < m.incarnation || m.status === 'dead') return;
    const from = m.status;
    m.status = 'dead';
    m.incarnation = u.incarnation;
    delete m.suspicion;
    this.suspects.delete(u.node);
    this.queue.push(own ? this.signed(u) : u);
    this.events.push({ nodeId: u.node, from, to: 'dead', incarnation: u.incarnation });
  }

  /** Someone thinks we are suspect or dead: outbid them with a higher incarnation. */
  private refute(accused: number, accuser?: string): void {
    if (accused < this.inc) return;
    this.inc = accused + 1;
    this.stats.refutations++;
    // Being suspected is a hint that we are the slow one (Lifeguard).
    this.awareness.apply(1);
    const alive = this.signed({ status: 'alive', node: this.selfId, incarnation: this.inc, from: this.selfId });
    this.queue.push(alive);
    // The suspicion timers are already running: answer the accuser and a few others now, not at the next gossip tick.
    const to = new Set([...(accuser ? [accuser] : []), ...this.pickRandom(this.cfg.gossipNodes, accuser)]);
    for (const id of to) if (this.members.has(id)) this.send(id, { type: 'gossip', updates: [alive] });
  }

  private broadcast(u: MemberUpdate): void {
    this.queue.push(this.signed(u));
  }

  private signed(u: MemberUpdate): MemberUpdate {
    return this.sign ? { ...u, sig: this.sign(u) } : u;
  }

  /** Piggyback for a message to `target`: a suspect (or dead) member hears about itself first (Lifeguard's buddy system). */
  private withNewsFor(target: string): MemberUpdate[] {
    const m = this.members.get(target);
    const updates = this.piggyback();
    if (!m || m.status === 'alive') return updates;
    const u = this.signed({ status: m.status, node: target, incarnation: m.incarnation, from: this.selfId });
    return [u, ...updates.filter((x) => x.node !== target)].slice(0, this.cfg.maxPiggyback);
  }

  private piggyback(): MemberUpdate[] {
    return this.queue.take(this.cfg.maxPiggyback, retransmitLimit(this.cfg, this.members.size + 1));
  }

  private send(to: string, msg: SwimMessage): void {
    this.stats.sent++;
    this.out.push({ to, msg });
  }

  private flush(): Outbound[] {
    const o = this.out;
    this.out = [];
    return o;
  }

  /** Up to n distinct random non-dead members other than `except`, by rejection sampling (O(n), not O(N)). */
  private pickRandom(n: number, except?: string): string[] {
    const picked = new Set<string>();
    // probeOrder is always a permutation of all members: sample from it.
    const all = this.probeOrder.length;
    for (let tries = 0; picked.size < n && tries < n * 8 && all > 0; tries++) {
      const id = this.probeOrder[Math.floor(this.rng() * all)];
      if (id === except || picked.has(id) || this.members.get(id)?.status === 'dead') continue;
      picked.add(id);
    }
    return [...picked];
  }

  private shuffle(a: string[]): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.rng() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
  }

  private takeToken(from: string): boolean {
    const now = this.now();
    const b = this.buckets.get(from) ?? { tokens: this.cfg.rateBurst, at: now };
    b.tokens = Math.min(this.cfg.rateBurst, b.tokens + ((now - b.at) / 1000) * this.cfg.ratePerSec);
    b.at = now;
    this.buckets.set(from, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
