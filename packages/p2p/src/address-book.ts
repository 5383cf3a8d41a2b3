/**
 * Where members can be reached, and the loop that keeps a connection open to
 * each of them. Gossip dissemination and Raft both work best over a full
 * mesh in a cluster of this size (tens of nodes), so every known member is
 * dialled, with a per-peer exponential backoff while it is unreachable.
 */
import type { Libp2p } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { ErrorCode, ShoalError } from '@shoal/types';
import { Backoff } from './backoff.js';
import type { Logger } from './logger.js';

const CHECK_EVERY_MS = 500;
/** Redial an unreachable member after 250 ms, doubling up to 5 s. */
const redialBackoff = (): Backoff => new Backoff(250, 5000);
/** Handshakes are CPU-bound; too many at once all time out together. */
const MAX_CONCURRENT_DIALS = 4;
const DIAL_TIMEOUT_MS = 10_000;
/** Of two peers that know each other, the smaller id dials; the other waits this long first. */
const YIELD_TO_PEER_MS = 3000;

interface Entry {
  addrs: string[];
  backoff: Backoff;
  dialing: boolean;
  addedAt: number;
}

export class AddressBook {
  /** Peers we are dialling by address (a joiner reaching a member it cannot yet call a member). */
  readonly dialingByAddress = new Set<string>();
  private readonly entries = new Map<string, Entry>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly libp2p: Libp2p,
    private readonly allow: (peerId: string) => boolean,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.maintain(), CHECK_EVERY_MS);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  set(peerId: string, addrs: string[]): void {
    // Called for every member after every applied entry: unchanged addresses cost
    // nothing (a peer-store merge encodes and stores a record each time).
    const known = this.entries.get(peerId);
    if (known && known.addrs.length === addrs.length && known.addrs.every((a, i) => a === addrs[i])) return;
    let parsed;
    try {
      parsed = addrs.map((a) => multiaddr(a));
      peerIdFromString(peerId);
    } catch (err) {
      throw new ShoalError(ErrorCode.BadConfig, `bad address for peer ${peerId}: ${(err as Error).message}`);
    }
    const e = this.entries.get(peerId);
    if (e) e.addrs = addrs;
    else this.entries.set(peerId, { addrs, backoff: redialBackoff(), dialing: false, addedAt: Date.now() });
    void this.libp2p.peerStore.merge(peerIdFromString(peerId), { multiaddrs: parsed }).catch(() => {});
    if (this.timer) this.maintain();
  }

  delete(peerId: string): void {
    this.entries.delete(peerId);
  }

  async dialAddress(addr: string, signal?: AbortSignal): Promise<string> {
    let ma;
    try {
      ma = multiaddr(addr);
    } catch (err) {
      throw new ShoalError(ErrorCode.BadConfig, `${addr} is not a multiaddr (e.g. /ip4/10.0.0.5/tcp/7946): ${(err as Error).message}`);
    }
    const claimed = ma.getPeerId();
    if (claimed) this.dialingByAddress.add(claimed);
    try {
      const conn = await this.libp2p.dial(ma, { signal: signal ?? AbortSignal.timeout(5000) });
      return conn.remotePeer.toString();
    } catch (err) {
      throw new ShoalError(ErrorCode.Timeout, `cannot connect to ${addr}: ${(err as Error).message}. Check the address, that the node runs, and that the token is for this cluster`);
    } finally {
      if (claimed) this.dialingByAddress.delete(claimed);
    }
  }

  private maintain(): void {
    const connected = new Set(this.libp2p.getConnections().map((c) => c.remotePeer.toString()));
    const now = Date.now();
    const self = this.libp2p.peerId.toString();
    let inFlight = [...this.entries.values()].filter((e) => e.dialing).length;
    for (const [peerId, e] of this.entries) {
      if (inFlight >= MAX_CONCURRENT_DIALS) break;
      if (peerId === self || connected.has(peerId) || e.dialing || e.backoff.waitMs(now) > 0 || !this.allow(peerId)) continue;
      // Both sides dialling at once doubles the handshakes; let the smaller id go first.
      if (self > peerId && now - e.addedAt < YIELD_TO_PEER_MS) continue;
      e.dialing = true;
      inFlight++;
      this.libp2p
        .dial(peerIdFromString(peerId), { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) })
        .then(() => e.backoff.succeeded())
        .catch((err: Error) => {
          const backoffMs = e.backoff.failed(Date.now());
          this.log.debug({ peer: peerId, err: err.message, backoffMs }, 'cannot reach member');
        })
        .finally(() => {
          e.dialing = false;
        });
    }
  }
}
