/**
 * SWIM failure detection for the daemon (the pure `Swim` of
 * @shoal/membership over libp2p). Messages go over one long-lived lossy
 * stream per peer (`/shoal/swim/1`, authenticated by the connection's Noise
 * handshake); membership updates carried inside are additionally signed by
 * the node they speak for (alive) or by the accuser (suspect, dead), so a
 * member cannot forward forged news. Every peer is rate limited.
 *
 * What the daemon sees (`liveness.state`) is SWIM's view, except that while
 * this node must confirm deaths itself (it is the leader), a member SWIM
 * declares dead stays `suspect` until this node's own direct and indirect
 * check failed too (DownConfirmer). Only then is it `down`, and the leader
 * commits `node.down`.
 */
import { EventEmitter } from 'node:events';
import {
  DownConfirmer,
  Swim,
  updateSigningText,
  validateSwimMessage,
  type ConfirmAction,
  type Heartbeat,
  type LivenessState,
  type MemberEvent,
  type MemberStatus,
  type MemberUpdate,
  type Outbound,
  type SwimConfig,
} from '@shoal/membership';
import type { Logger } from './logger.js';
import { silentLogger } from './logger.js';
import type { LivenessLookup, MembershipEvents, MembershipService } from './membership-service.js';
import type { HeartbeatBody } from './failure-detector.js';
import type { P2PNode } from './node.js';

/** A SWIM frame never needs more: 64 updates of a few hundred bytes. */
export const MAX_SWIM_FRAME_BYTES = 64 * 1024;
const VERIFIED_CACHE = 4096;

export interface SwimMembershipOptions {
  node: P2PNode;
  heartbeatSource: () => HeartbeatBody;
  /** Initial incarnation; default: the wall clock at start, so a restart refutes by itself. */
  incarnation?: number;
  /** True while this node must confirm a death itself before calling it down (the leader). */
  confirmsDown?: () => boolean;
  config?: Partial<SwimConfig>;
  logger?: Logger;
}

export interface SwimMembershipStats {
  framesIn: number;
  framesOut: number;
  malformed: number;
  oversized: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export class SwimMembership extends EventEmitter<MembershipEvents> implements MembershipService {
  readonly swim: Swim;
  readonly liveness: LivenessLookup;
  readonly stats: SwimMembershipStats = { framesIn: 0, framesOut: 0, malformed: 0, oversized: 0 };
  private readonly node: P2PNode;
  private readonly source: () => HeartbeatBody;
  private readonly confirmsDown: () => boolean;
  private readonly confirmer = new DownConfirmer(() => performance.now());
  private readonly log: Logger;
  private readonly exposed = new Map<string, LivenessState>();
  private readonly lastSeen = new Map<string, number>();
  private readonly verified = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = Infinity;
  private running = false;
  private seq = 0;

  constructor(opts: SwimMembershipOptions) {
    super();
    this.node = opts.node;
    this.source = opts.heartbeatSource;
    this.confirmsDown = opts.confirmsDown ?? (() => true);
    this.log = opts.logger ?? silentLogger;
    this.swim = new Swim({
      selfId: this.node.peerId,
      incarnation: opts.incarnation ?? Date.now(),
      now: () => performance.now(),
      rng: Math.random,
      config: opts.config,
      sign: (u) => this.node.sign(encoder.encode(updateSigningText(u))),
      verify: (u) => this.verify(u),
      // The transport admits cluster members only; a node that just joined must be answered at once.
      admitUnknown: true,
    });
    this.node.onSwim((from, frame) => this.onFrame(from, frame));
    this.liveness = {
      state: (id) => this.exposed.get(id),
      peer: (id) => (this.exposed.has(id) ? { lastSeenAt: this.lastSeen.get(id) ?? null } : undefined),
      track: (id) => {
        // Called for every registered node after each applied entry: known members (heard or not) cost nothing.
        if (id === this.node.peerId || this.exposed.has(id) || this.swim.has(id)) return;
        this.swim.add(id);
        this.afterActivity();
      },
      forget: (id) => {
        this.swim.remove(id);
        this.exposed.delete(id);
        this.lastSeen.delete(id);
      },
    };
  }

  get incarnation(): number {
    return this.swim.incarnation;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }

  refute(): number {
    this.send(this.swim.refuteNow());
    this.seq = 0;
    this.afterActivity();
    return this.swim.incarnation;
  }

  nextHeartbeat(): Heartbeat {
    return { ...this.source(), nodeId: this.node.peerId, incarnation: this.swim.incarnation, seq: ++this.seq, sentAt: Date.now() };
  }

  observeDirect(hb: Heartbeat): void {
    if (!this.running) return;
    this.lastSeen.set(hb.nodeId, performance.now());
    this.swim.vouch(hb.nodeId, hb.incarnation);
    this.afterActivity();
    this.exposeHeard(hb.nodeId);
    this.emit('heartbeat', hb);
  }

  private onFrame(from: string, frame: Uint8Array): void {
    if (!this.running) return;
    this.stats.framesIn++;
    if (frame.length > MAX_SWIM_FRAME_BYTES) {
      this.stats.oversized++;
      return;
    }
    let msg;
    try {
      msg = validateSwimMessage(JSON.parse(decoder.decode(frame)));
    } catch {
      this.stats.malformed++;
      return;
    }
    this.lastSeen.set(from, performance.now());
    this.send(this.swim.receive(from, msg));
    this.afterActivity();
    this.exposeHeard(from);
  }

  private tick(): void {
    this.timer = null;
    this.timerAt = Infinity;
    if (!this.running) return;
    this.send(this.swim.tick());
    this.afterActivity();
  }

  private afterActivity(): void {
    for (const e of this.swim.takeEvents()) this.onEvent(e);
    for (const r of this.swim.takeCheckResults()) this.act(this.confirmer.onCheck(r));
    this.schedule();
  }

  private onEvent(e: MemberEvent): void {
    const confirming = this.confirmsDown();
    // SWIM starts every member it is told about as alive; the daemon hears "alive"
    // only once that member spoke to this node (exposeHeard). A member known from the
    // cluster state alone (a dead voter after `cluster recover`) must not look healthy
    // enough to be promoted.
    const unheard = e.to === 'alive' && !this.lastSeen.has(e.nodeId) && !this.exposed.has(e.nodeId);
    // Dead by gossip is only suspect to a confirming node until its own check agrees.
    if (!unheard) this.expose(e.nodeId, e.to === 'dead' && confirming ? 'suspect' : toLiveness(e.to), e.incarnation);
    if (confirming) this.act(this.confirmer.onEvent(e));
  }

  /** A member spoke to us: if SWIM holds it alive and we never said so, say so now. */
  private exposeHeard(nodeId: string): void {
    if (this.exposed.has(nodeId) || this.swim.status(nodeId) !== 'alive') return;
    this.expose(nodeId, 'alive', this.swim.incarnationOf(nodeId) ?? 0);
  }

  private act(actions: ConfirmAction[]): void {
    for (const a of actions) {
      if (a.kind === 'check') this.send(this.swim.check(a.nodeId));
      else if (this.swim.status(a.nodeId) === 'dead') this.expose(a.nodeId, 'down', this.swim.incarnationOf(a.nodeId) ?? 0);
    }
  }

  private expose(nodeId: string, to: LivenessState, incarnation: number): void {
    const from = this.exposed.get(nodeId);
    if (from === to) return;
    this.exposed.set(nodeId, to);
    this.log.info({ node: nodeId, from: from ?? 'unknown', to, incarnation }, 'node liveness changed');
    this.emit('change', { nodeId, from: from ?? 'unknown', to, incarnation });
  }

  private send(out: Outbound[]): void {
    for (const o of out) {
      this.stats.framesOut++;
      this.node.sendSwim(o.to, encoder.encode(JSON.stringify(o.msg)));
    }
  }

  private schedule(): void {
    if (!this.running) return;
    const at = this.swim.nextWakeAt();
    if (at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.tick(), Math.max(1, at - performance.now()));
  }

  /** Signature check with a small cache: the same update arrives many times while it spreads. */
  private verify(u: MemberUpdate): boolean {
    if (u.sig === undefined) return false;
    const key = `${updateSigningText(u)}|${u.sig}`;
    if (this.verified.has(key)) return true;
    if (!this.node.verify(u.from, encoder.encode(updateSigningText(u)), u.sig)) return false;
    if (this.verified.size >= VERIFIED_CACHE) this.verified.clear();
    this.verified.add(key);
    return true;
  }
}

function toLiveness(s: MemberStatus): LivenessState {
  return s === 'dead' ? 'down' : s;
}
