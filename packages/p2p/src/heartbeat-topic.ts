/**
 * Heartbeats on the gossipsub topic `shoal/heartbeat/1`. Gossipsub (StrictSign)
 * verifies the signature; this validator then decides whether the message
 * may be delivered and forwarded: the signer must be a cluster member and
 * the node the heartbeat speaks for, the payload bounded and well formed,
 * newer than the last one seen from that node, and within a per-node rate.
 * Replays and rate excess are ignored (not forwarded, no score penalty: they
 * also happen innocently when paths reorder); the rest is rejected.
 */
import { TopicValidatorResult, type Message, type PeerId } from '@libp2p/interface';
import { compareHeartbeatOrder, decodeHeartbeat, MAX_HEARTBEAT_BYTES, type Heartbeat } from '@shoal/membership';

export const HEARTBEAT_TOPIC = 'shoal/heartbeat/1';
/** Token bucket per signer: heartbeats come every 500 ms, allow bursts after a stall. */
const RATE_PER_SEC = 10;
const BURST = 20;

export interface HeartbeatStats {
  accepted: number;
  rejected: { unsigned: number; oversized: number; notMember: number; malformed: number; wrongSigner: number; replayed: number; rateLimited: number };
}

export class HeartbeatTopic {
  readonly stats: HeartbeatStats = {
    accepted: 0,
    rejected: { unsigned: 0, oversized: 0, notMember: 0, malformed: 0, wrongSigner: 0, replayed: 0, rateLimited: 0 },
  };
  private readonly lastSeen = new Map<string, { incarnation: number; seq: number }>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly decoded = new WeakMap<Message, Heartbeat>();

  constructor(
    private readonly allow: (peerId: string) => boolean,
    private readonly now: () => number = () => performance.now(),
  ) {}

  validate = (_propagationSource: PeerId, msg: Message): TopicValidatorResult => {
    const r = this.stats.rejected;
    if (msg.type !== 'signed') return r.unsigned++, TopicValidatorResult.Reject;
    if (msg.data.length > MAX_HEARTBEAT_BYTES) return r.oversized++, TopicValidatorResult.Reject;
    const signer = msg.from.toString();
    if (!this.allow(signer)) return r.notMember++, TopicValidatorResult.Reject;
    let hb: Heartbeat;
    try {
      hb = decodeHeartbeat(msg.data);
    } catch {
      return r.malformed++, TopicValidatorResult.Reject;
    }
    if (hb.nodeId !== signer) return r.wrongSigner++, TopicValidatorResult.Reject;
    const last = this.lastSeen.get(signer);
    if (last && compareHeartbeatOrder(hb, last) <= 0) return r.replayed++, TopicValidatorResult.Ignore;
    if (!this.takeToken(signer)) return r.rateLimited++, TopicValidatorResult.Ignore;
    this.lastSeen.set(signer, { incarnation: hb.incarnation, seq: hb.seq });
    this.decoded.set(msg, hb);
    this.stats.accepted++;
    return TopicValidatorResult.Accept;
  };

  /** The heartbeat of a message this validator accepted. */
  heartbeatOf(msg: Message): Heartbeat | undefined {
    return this.decoded.get(msg);
  }

  /** Our own publishes skip validation; remember them so a replay of ours is caught too. */
  noteOwn(hb: Heartbeat): void {
    this.lastSeen.set(hb.nodeId, { incarnation: hb.incarnation, seq: hb.seq });
  }

  forget(nodeId: string): void {
    this.lastSeen.delete(nodeId);
    this.buckets.delete(nodeId);
  }

  private takeToken(signer: string): boolean {
    const now = this.now();
    const b = this.buckets.get(signer) ?? { tokens: BURST, at: now };
    b.tokens = Math.min(BURST, b.tokens + ((now - b.at) / 1000) * RATE_PER_SEC);
    b.at = now;
    this.buckets.set(signer, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
