/**
 * Each node's local view of its peers' liveness, SWIM-flavoured:
 *
 *   alive --(phi >= phiSuspect)--> suspect --(unreachable confirmed, phi >= phiDown)--> down
 *     ^                               |                                                |
 *     +---- fresh heartbeat or -------+                                                |
 *     +---- a ping answered (confirm(id, true)) ---+                                   |
 *     +---- heartbeat with a higher incarnation (the node refutes) --------------------+
 *
 * Suspicion alone never makes a node down: the I/O layer must probe it
 * (direct ping plus indirect pings through k peers) and report the outcome
 * with `confirm`. Probing starts at a low phi and `down` needs a higher one,
 * so the probes run while the detector keeps accumulating evidence.
 *
 * A `down` node only comes back with a higher incarnation: the returning node
 * must acknowledge it was declared down (its daemon bumps the incarnation),
 * which keeps a flapping link from bouncing a node up and down.
 *
 * If this node's own tick loop stalls (GC, overloaded host), gaps it measures
 * are its own fault, not its peers': a tick that comes late by more than
 * `maxLocalPauseMs` escalates nothing and discards pending unreachable
 * confirmations (their timeouts may have fired during the stall).
 */
import { compareHeartbeatOrder, type Heartbeat } from './heartbeat.js';
import { PhiAccrualDetector, type PhiOptions } from './phi.js';

export type LivenessState = 'alive' | 'suspect' | 'down';

export interface LivenessEvent {
  nodeId: string;
  from: LivenessState | 'unknown';
  to: LivenessState;
  incarnation: number;
}

export type ObserveResult = 'accepted' | 'refuted' | 'stale' | 'self';

export interface PeerLiveness {
  nodeId: string;
  state: LivenessState;
  incarnation: number;
  seq: number;
  phi: number;
  /** Local clock time of the last heartbeat (or answered ping). */
  lastSeenAt: number | null;
  /** The newest heartbeat received, if any. */
  heartbeat: Heartbeat | null;
}

export interface NodeLivenessOptions extends PhiOptions {
  selfId: string;
  now: () => number;
  /** phi at which a peer becomes suspect and probing starts. */
  phiSuspect?: number;
  /** phi a confirmed-unreachable suspect must also reach before it is down. */
  phiDown?: number;
  /** Minimum time a node stays suspect before it may be declared down. */
  suspicionTimeoutMs?: number;
  /** Heartbeats arriving closer than this are accepted but not sampled. */
  minIntervalMs?: number;
  /** A tick later than this after the previous one is a local stall. */
  maxLocalPauseMs?: number;
}

export const LIVENESS_DEFAULTS = {
  phiSuspect: 3,
  phiDown: 8,
  suspicionTimeoutMs: 0,
  minIntervalMs: 50,
  maxLocalPauseMs: 500,
} as const;

interface Peer {
  state: LivenessState;
  incarnation: number;
  seq: number;
  detector: PhiAccrualDetector;
  heartbeat: Heartbeat | null;
  suspectSince: number;
  /** Set by confirm(id, false) while suspect; cleared on any evidence of life. */
  unreachable: boolean;
}

export class NodeLiveness {
  readonly selfId: string;
  private readonly now: () => number;
  private readonly opts: Required<Omit<NodeLivenessOptions, 'selfId' | 'now' | keyof PhiOptions>>;
  private readonly phiOpts: PhiOptions;
  private readonly peerMap = new Map<string, Peer>();
  private pending: LivenessEvent[] = [];
  private lastTick: number | null = null;

  constructor(opts: NodeLivenessOptions) {
    this.selfId = opts.selfId;
    this.now = opts.now;
    this.opts = {
      phiSuspect: opts.phiSuspect ?? LIVENESS_DEFAULTS.phiSuspect,
      phiDown: Math.max(opts.phiDown ?? LIVENESS_DEFAULTS.phiDown, opts.phiSuspect ?? LIVENESS_DEFAULTS.phiSuspect),
      suspicionTimeoutMs: opts.suspicionTimeoutMs ?? LIVENESS_DEFAULTS.suspicionTimeoutMs,
      minIntervalMs: opts.minIntervalMs ?? LIVENESS_DEFAULTS.minIntervalMs,
      maxLocalPauseMs: opts.maxLocalPauseMs ?? LIVENESS_DEFAULTS.maxLocalPauseMs,
    };
    this.phiOpts = {
      expectedIntervalMs: opts.expectedIntervalMs,
      windowSize: opts.windowSize,
      minStdDevMs: opts.minStdDevMs,
      acceptablePauseMs: opts.acceptablePauseMs,
      minSampleMs: opts.minSampleMs ?? this.opts.minIntervalMs,
    };
    for (const k of Object.keys(this.phiOpts) as (keyof PhiOptions)[]) if (this.phiOpts[k] === undefined) delete this.phiOpts[k];
  }

  /** Feeds a heartbeat that the transport has authenticated (signer == hb.nodeId). */
  observe(hb: Heartbeat): ObserveResult {
    if (hb.nodeId === this.selfId) return 'self';
    const now = this.now();
    const peer = this.peerMap.get(hb.nodeId);
    if (!peer) {
      const fresh = this.newPeer(hb.incarnation, now);
      fresh.seq = hb.seq;
      fresh.heartbeat = hb;
      this.peerMap.set(hb.nodeId, fresh);
      this.pending.push({ nodeId: hb.nodeId, from: 'unknown', to: 'alive', incarnation: hb.incarnation });
      return 'accepted';
    }
    if (compareHeartbeatOrder(hb, peer) <= 0) return 'stale';
    if (peer.state === 'down' && hb.incarnation <= peer.incarnation) return 'stale';
    const higher = hb.incarnation > peer.incarnation;
    peer.incarnation = hb.incarnation;
    peer.seq = hb.seq;
    peer.heartbeat = hb;
    if (peer.state === 'down') {
      // A new life: the gaps of the old one say nothing about this one.
      peer.detector = new PhiAccrualDetector(this.phiOpts);
    }
    peer.detector.heartbeat(now);
    const was = peer.state;
    if (was !== 'alive') this.transition(hb.nodeId, peer, 'alive', now);
    return was !== 'alive' && higher ? 'refuted' : 'accepted';
  }

  /** Starts watching a node known from the cluster state even if it never sent a heartbeat. */
  track(nodeId: string): void {
    if (nodeId === this.selfId || this.peerMap.has(nodeId)) return;
    const now = this.now();
    this.peerMap.set(nodeId, this.newPeer(0, now));
    this.pending.push({ nodeId, from: 'unknown', to: 'alive', incarnation: 0 });
  }

  /**
   * The outcome of probing a suspect: `reachable` if the direct ping or any
   * indirect ping was answered. Ignored for nodes that are not suspect.
   */
  confirm(nodeId: string, reachable: boolean): void {
    const peer = this.peerMap.get(nodeId);
    if (!peer || peer.state !== 'suspect') return;
    const now = this.now();
    if (reachable) {
      peer.detector.reset(now);
      peer.unreachable = false;
      this.transition(nodeId, peer, 'alive', now);
    } else {
      peer.unreachable = true;
    }
  }

  /** Advances time: returns every state change since the last call, in order. */
  tick(): LivenessEvent[] {
    const now = this.now();
    const stalled = this.lastTick !== null && now - this.lastTick > this.opts.maxLocalPauseMs;
    this.lastTick = now;
    for (const [id, peer] of this.peerMap) {
      if (stalled) {
        peer.unreachable = false;
        continue;
      }
      const phi = peer.detector.phi(now);
      if (peer.state === 'alive' && phi >= this.opts.phiSuspect) {
        this.transition(id, peer, 'suspect', now);
      } else if (
        peer.state === 'suspect' &&
        peer.unreachable &&
        phi >= this.opts.phiDown &&
        now - peer.suspectSince >= this.opts.suspicionTimeoutMs
      ) {
        this.transition(id, peer, 'down', now);
      }
    }
    const events = this.pending;
    this.pending = [];
    return events;
  }

  /** Suspects still waiting for an "unreachable" confirmation: the ones to probe. */
  toProbe(): string[] {
    const ids: string[] = [];
    for (const [id, peer] of this.peerMap) if (peer.state === 'suspect' && !peer.unreachable) ids.push(id);
    return ids;
  }

  state(nodeId: string): LivenessState | undefined {
    return this.peerMap.get(nodeId)?.state;
  }

  peer(nodeId: string): PeerLiveness | undefined {
    const peer = this.peerMap.get(nodeId);
    return peer ? this.view(nodeId, peer, this.now()) : undefined;
  }

  peers(): PeerLiveness[] {
    const now = this.now();
    return [...this.peerMap].map(([id, peer]) => this.view(id, peer, now));
  }

  /** Stops tracking a node (removed from the cluster). */
  forget(nodeId: string): void {
    this.peerMap.delete(nodeId);
  }

  private newPeer(incarnation: number, now: number): Peer {
    const detector = new PhiAccrualDetector(this.phiOpts);
    detector.heartbeat(now);
    return { state: 'alive', incarnation, seq: -1, detector, heartbeat: null, suspectSince: 0, unreachable: false };
  }

  private transition(nodeId: string, peer: Peer, to: LivenessState, now: number): void {
    this.pending.push({ nodeId, from: peer.state, to, incarnation: peer.incarnation });
    peer.state = to;
    if (to === 'suspect') peer.suspectSince = now;
    peer.unreachable = false;
  }

  private view(nodeId: string, peer: Peer, now: number): PeerLiveness {
    return {
      nodeId,
      state: peer.state,
      incarnation: peer.incarnation,
      seq: peer.seq,
      phi: peer.state === 'down' ? Infinity : peer.detector.phi(now),
      lastSeenAt: peer.detector.lastArrival(),
      heartbeat: peer.heartbeat,
    };
  }
}
