/**
 * The private-network keys a node holds: the one it dials with and the set
 * it accepts. Normally both are the cluster PSK; during `rotate-psk` a node
 * accepts the old and the new key while the cluster moves from dialling
 * with one to dialling with the other. Invariant: the dial key is accepted.
 */
import { ErrorCode, ShoalError } from '@shoal/types';

export class PskRing {
  private dialKey: Uint8Array;
  private accepted: Uint8Array[];
  /** Handshakes by the accepted key the peer used (index in `accepts()` at the time), for status. */
  readonly seen = new Map<string, number>();

  constructor(dial: Uint8Array, accept: Uint8Array[] = [dial]) {
    this.dialKey = dial;
    this.accepted = accept;
    this.set(dial, accept);
  }

  set(dial: Uint8Array, accept: Uint8Array[]): void {
    for (const k of [dial, ...accept]) if (k.length !== 32) throw new ShoalError(ErrorCode.BadConfig, 'a cluster key (psk) must be 32 bytes');
    const all = [dial, ...accept.filter((k) => !sameKey(k, dial))];
    this.dialKey = dial;
    this.accepted = all;
  }

  dial(): Uint8Array {
    return this.dialKey;
  }

  accepts(): Uint8Array[] {
    return this.accepted;
  }

  noteSeen(key: Uint8Array): void {
    const id = Buffer.from(key.subarray(0, 4)).toString('hex');
    this.seen.set(id, (this.seen.get(id) ?? 0) + 1);
  }
}

export function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}
