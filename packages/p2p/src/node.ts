/**
 * One libp2p host for a shoal node: TCP + pnet (PSK) + Noise + Yamux,
 * identify, ping, the Raft, SWIM and RPC protocols, and (only for the
 * gossip-heartbeat membership) gossipsub.
 *
 * Admission (why the gater lets everyone with the PSK connect): a joining
 * node is, by definition, not yet on the allowlist, yet it must reach the
 * `join` RPC. So connections are accepted from any peer holding the PSK, and
 * membership is enforced per protocol: Raft streams, every RPC except
 * `join`, and heartbeats (validator) are refused from non-members; a
 * non-member's connection is closed after `joinWindowMs` unless it became a
 * member meanwhile. We never dial non-members (gater `denyDialPeer`), except
 * by address through `dial(addr)`, which the joiner itself uses.
 */
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import type { Connection, Libp2p, PubSub } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { ping, type Ping } from '@libp2p/ping';
import { rotatingPreSharedKey } from './rotating-pnet.js';
import { sendWindowUpdatesAtHalf } from './yamux-window.js';
import { PskRing } from './psk-ring.js';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { encodeHeartbeat, type Heartbeat } from '@shoal/membership';
import { ErrorCode, ShoalError } from '@shoal/types';
import { createLibp2p } from 'libp2p';
import { AddressBook } from './address-book.js';
import { HEARTBEAT_TOPIC, HeartbeatTopic, type HeartbeatStats } from './heartbeat-topic.js';
import { loadOrCreatePeerKey } from './keys.js';
import { silentLogger, type Logger } from './logger.js';
import { RaftStreams, type RaftQueueLimits, type RaftStats } from './raft-streams.js';
import { RpcEndpoint, type RequestOptions, type RpcHandler, type RpcStats } from './rpc.js';

export const INDIRECT_PING_METHOD = '$ping';
/** SWIM membership messages: one long-lived lossy stream per peer, like Raft's. */
export const SWIM_PROTOCOL = '/shoal/swim/1';
const SWIM_QUEUE = { maxQueuedFrames: 256, maxQueuedBytes: 1024 * 1024 };
const MAX_INDIRECT_PING_MS = 2000;

export interface P2PNodeOptions {
  /** Holds peer.key (the node's identity, 0600). */
  dataDir: string;
  /** Multiaddrs to listen on, e.g. /ip4/127.0.0.1/tcp/7946 (tcp/0 for an ephemeral port). */
  listen: string[];
  /** 32-byte cluster key (pnet). */
  psk: Uint8Array;
  /** Keys to dial with and accept, when they change at runtime (PSK rotation); default: just `psk`. */
  pskRing?: PskRing;
  /** Is this peer a cluster member? Called often: keep it a set lookup. */
  allow: (peerId: string) => boolean;
  logger?: Logger;
  /** How long a non-member may stay connected to complete a join. */
  joinWindowMs?: number;
  raftQueue?: RaftQueueLimits;
  /**
   * Run gossipsub for the all-to-all heartbeat topic (the gossip membership).
   * Default true. SWIM does not need it: without it gossipsub is never even
   * loaded, which saves an idle agent its mesh upkeep and ~10 MB of memory.
   */
  heartbeatTopic?: boolean;
  /**
   * gossipsub's mesh upkeep pace (default 1 s). Publishes are flooded to every
   * subscribed member, so the mesh only adds redundancy: a topic that carries
   * rare messages (health changes under SWIM) can keep it much slower.
   */
  pubsubHeartbeatMs?: number;
}

export interface P2PStats {
  heartbeats: HeartbeatStats;
  raft: RaftStats;
  rpc: RpcStats;
  connections: number;
  /** Peers known to be subscribed to the heartbeat topic (gossip reach). */
  topicPeers: number;
}

export interface P2PNode {
  readonly peerId: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  addresses(): string[];
  /** Dials an address and returns the remote peer id. */
  dial(addr: string, signal?: AbortSignal): Promise<string>;
  connectedPeers(): string[];
  /** Known addresses of a member; the node keeps a connection to every known member. */
  setPeerAddresses(peerId: string, addrs: string[]): void;
  /** Forgets a removed member: addresses, heartbeat replay state, connection. */
  forgetPeer(peerId: string): Promise<void>;
  /**
   * Closes every connection to a member (kept in the address book): for one
   * declared down, whose connection may be half-open after a hard crash, so
   * the next message redials instead of queueing on a dead socket.
   */
  hangUp(peerId: string): Promise<void>;
  sendRaft(to: string, frames: Uint8Array[]): void;
  onRaft(handler: (from: string, frame: Uint8Array) => void): void;
  request(peerId: string, method: string, body: unknown, opts?: RequestOptions): Promise<unknown>;
  /** `open`: callable by peers outside the allowlist too; keep such handlers about the caller only. */
  handle(method: string, handler: RpcHandler, opts?: { open?: boolean }): void;
  publishHeartbeat(hb: Heartbeat): Promise<void>;
  onHeartbeat(handler: (hb: Heartbeat, from: string) => void): void;
  /** Round-trip time in ms; throws if the peer does not answer. */
  ping(peerId: string, signal?: AbortSignal): Promise<number>;
  /** Asks `via` to ping `target`; true if the target answered. Never throws. */
  indirectPing(via: string, target: string, opts?: RequestOptions): Promise<boolean>;
  stats(): P2PStats;
  /** SWIM frames (lossy: dropped when the peer cannot be reached). */
  sendSwim(to: string, frame: Uint8Array): void;
  onSwim(handler: (from: string, frame: Uint8Array) => void): void;
  /** Ed25519 signature by this node's identity key (base64). */
  sign(data: Uint8Array): string;
  /** Checks a base64 signature of `peerId`'s identity key; false on anything malformed. */
  verify(peerId: string, data: Uint8Array, sig: string): boolean;
}

type Services = { pubsub?: PubSub; ping: Ping; identify: unknown };

export async function createP2PNode(opts: P2PNodeOptions): Promise<P2PNode> {
  sendWindowUpdatesAtHalf();
  const log = opts.logger ?? silentLogger;
  const privateKey = await loadOrCreatePeerKey(opts.dataDir);
  const allow = opts.allow;
  const libp2p = (await createLibp2p({
    start: false,
    privateKey,
    addresses: { listen: opts.listen },
    transports: [tcp()],
    // The nonce exchange must survive a loaded host; 1 s (the default) does not.
    // pnet's wire format with a key ring (rotating-pnet.ts): @libp2p/pnet takes one key, rotation needs two.
    connectionProtector: rotatingPreSharedKey(opts.pskRing ?? new PskRing(opts.psk), { timeoutMs: 5000 }),
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: {
      // Loopback and private addresses are where clusters live.
      denyDialMultiaddr: () => false,
      denyDialPeer: (peer) => !allow(peer.toString()) && !book.dialingByAddress.has(peer.toString()),
    },
    connectionManager: { maxConnections: 1024, inboundConnectionThreshold: 1000, maxIncomingPendingConnections: 256, dialTimeout: 10_000 },
    // libp2p's monitor pings every connection every 10 s: N pings per node, the
    // cost SWIM exists to avoid. Membership finds dead members at a constant
    // per-node cost, and the daemon hangs up on members declared down.
    connectionMonitor: { enabled: false },
    services: {
      identify: identify(),
      // Probes of one suspect by several members (direct + indirect) overlap on
      // one connection; the default of 2 concurrent ping streams refuses them.
      ping: ping({ timeout: 2000, maxInboundStreams: 32, maxOutboundStreams: 32 }),
      ...(opts.heartbeatTopic === false ? {} : { pubsub: await heartbeatPubsub(opts.pubsubHeartbeatMs ?? 1000) }),
    },
  })) as Libp2p<Services>;

  const heartbeats = new HeartbeatTopic(allow);
  const raft = new RaftStreams(libp2p, allow, log, opts.raftQueue);
  const swim = new RaftStreams(libp2p, allow, log, SWIM_QUEUE, SWIM_PROTOCOL);
  const publicKeys = new Map<string, ReturnType<typeof peerIdFromString>['publicKey']>();
  const rpc = new RpcEndpoint(libp2p, allow, log);
  const book = new AddressBook(libp2p, allow, log);
  const hbHandlers: ((hb: Heartbeat, from: string) => void)[] = [];
  const joinWindowMs = opts.joinWindowMs ?? 30_000;
  const joinTimers = new Set<ReturnType<typeof setTimeout>>();

  const onConnection = (evt: CustomEvent<Connection>) => {
    const peer = evt.detail.remotePeer.toString();
    if (allow(peer)) return;
    const timer = setTimeout(() => {
      joinTimers.delete(timer);
      if (!allow(peer)) void libp2p.hangUp(evt.detail.remotePeer).catch(() => {});
    }, joinWindowMs);
    joinTimers.add(timer);
  };
  const onMessage = (evt: CustomEvent<import('@libp2p/interface').Message>) => {
    const msg = evt.detail;
    if (msg.topic !== HEARTBEAT_TOPIC || msg.type !== 'signed') return;
    const hb = heartbeats.heartbeatOf(msg);
    if (!hb) return;
    for (const h of hbHandlers) {
      try {
        h(hb, msg.from.toString());
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'heartbeat handler threw');
      }
    }
  };

  rpc.handle(INDIRECT_PING_METHOD, async (_from, body) => {
    const b = body as { target?: unknown; timeoutMs?: unknown } | null;
    if (typeof b?.target !== 'string' || !allow(b.target)) throw new ShoalError(ErrorCode.BadMessage, 'indirect ping target must be a cluster member');
    const timeoutMs = typeof b.timeoutMs === 'number' ? Math.min(Math.max(b.timeoutMs, 10), MAX_INDIRECT_PING_MS) : 500;
    try {
      return { ok: true, rttMs: await libp2p.services.ping.ping(peerIdFromString(b.target), { signal: AbortSignal.timeout(timeoutMs) }) };
    } catch {
      return { ok: false };
    }
  });

  const node: P2PNode = {
    peerId: libp2p.peerId.toString(),
    async start() {
      libp2p.addEventListener('connection:open', onConnection);
      libp2p.services.pubsub?.addEventListener('message', onMessage);
      libp2p.services.pubsub?.topicValidators.set(HEARTBEAT_TOPIC, heartbeats.validate);
      await raft.start();
      await swim.start();
      await rpc.start();
      await libp2p.start();
      libp2p.services.pubsub?.subscribe(HEARTBEAT_TOPIC);
      book.start();
      log.info({ peerId: node.peerId, addrs: node.addresses() }, 'p2p node started');
    },
    async stop() {
      book.stop();
      raft.stop();
      swim.stop();
      for (const t of joinTimers) clearTimeout(t);
      joinTimers.clear();
      libp2p.removeEventListener('connection:open', onConnection);
      libp2p.services.pubsub?.removeEventListener('message', onMessage);
      await libp2p.stop();
    },
    addresses: () => libp2p.getMultiaddrs().map((a) => a.toString()),
    dial: (addr, signal) => book.dialAddress(addr, signal),
    connectedPeers: () => [...new Set(libp2p.getConnections().map((c) => c.remotePeer.toString()))],
    setPeerAddresses: (peerId, addrs) => book.set(peerId, addrs),
    async forgetPeer(peerId) {
      book.delete(peerId);
      heartbeats.forget(peerId);
      await libp2p.hangUp(peerIdFromString(peerId)).catch(() => {});
    },
    async hangUp(peerId) {
      await libp2p.hangUp(peerIdFromString(peerId)).catch(() => {});
    },
    sendRaft: (to, frames) => raft.send(to, frames),
    onRaft: (handler) => raft.onFrame(handler),
    request: (peerId, method, body, o) => rpc.request(peerId, method, body, o),
    handle: (method, handler, o) => rpc.handle(method, handler, o),
    async publishHeartbeat(hb) {
      if (hb.nodeId !== node.peerId) throw new ShoalError(ErrorCode.BadMessage, 'a node may only publish its own heartbeat');
      const data = encodeHeartbeat(hb);
      const pubsub = libp2p.services.pubsub;
      if (!pubsub) throw new ShoalError(ErrorCode.BadConfig, 'this node was created without the heartbeat topic (createP2PNode({heartbeatTopic: false})): it cannot publish heartbeats');
      heartbeats.noteOwn(hb);
      await pubsub.publish(HEARTBEAT_TOPIC, data);
    },
    onHeartbeat: (handler) => void hbHandlers.push(handler),
    async ping(peerId, signal) {
      return libp2p.services.ping.ping(peerIdFromString(peerId), { signal: signal ?? AbortSignal.timeout(2000) });
    },
    async indirectPing(via, target, o = {}) {
      const timeoutMs = o.timeoutMs ?? 500;
      try {
        const res = (await rpc.request(via, INDIRECT_PING_METHOD, { target, timeoutMs }, { signal: o.signal, timeoutMs: timeoutMs + 250 })) as { ok?: unknown };
        return res?.ok === true;
      } catch {
        return false;
      }
    },
    sendSwim: (to, frame) => swim.send(to, [frame]),
    onSwim: (handler) => swim.onFrame(handler),
    sign(data) {
      return Buffer.from(privateKey.sign(data) as Uint8Array).toString('base64');
    },
    verify(peerId, data, sig) {
      try {
        let key = publicKeys.get(peerId);
        if (!key) {
          key = peerIdFromString(peerId).publicKey;
          if (publicKeys.size < 100_000) publicKeys.set(peerId, key);
        }
        return key ? (key.verify(data, Buffer.from(sig, 'base64')) as boolean) === true : false;
      } catch {
        return false;
      }
    },
    stats: () => ({
      heartbeats: structuredClone(heartbeats.stats),
      raft: { ...raft.stats },
      rpc: { ...rpc.stats },
      connections: libp2p.getConnections().length,
      topicPeers: libp2p.services.pubsub?.getSubscribers(HEARTBEAT_TOPIC).length ?? 0,
    }),
  };
  return node;
}

/** gossipsub for the heartbeat topic, loaded only when the gossip membership runs. */
async function heartbeatPubsub(heartbeatInterval: number) {
  const { gossipsub } = await import('@chainsafe/libp2p-gossipsub');
  return gossipsub({
    globalSignaturePolicy: 'StrictSign',
    emitSelf: false,
    allowPublishToZeroTopicPeers: true,
    floodPublish: true,
    fallbackToFloodsub: false,
    doPX: false,
    // floodPublish sends each heartbeat straight to every subscribed member,
    // so mesh upkeep does not gate delivery: gossipsub's default 1 s pace
    // costs an idle node a fifth of the wake-ups that 200 ms did.
    heartbeatInterval,
    // gossipsub verifies the signature of every copy it receives before
    // it can tell a duplicate; with floodPublish to fully connected
    // members a thick mesh only adds copies. Idle 5-node cluster, quiet
    // machine (npm run bench -- footprint): followers 5.5 % -> 4.3 % CPU.
    D: 2,
    Dlo: 1,
    Dhi: 3,
    Dout: 1,
    Dlazy: 2,
    allowedTopics: [HEARTBEAT_TOPIC],
    maxInboundDataLength: 256 * 1024,
    // Members are admitted by the allowlist, not by reputation. IP
    // colocation scoring would graylist healthy members that share an
    // address (loopback, NAT, several nodes per host) once more than 10
    // peers were seen there; broken-promise penalties hit loaded nodes.
    scoreParams: { IPColocationFactorWeight: 0, behaviourPenaltyWeight: 0 },
  });
}

export { multiaddr };
