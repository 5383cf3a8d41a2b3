import { createHash } from 'node:crypto';
import { ClusterState, decodeCommand, encodeCommand, type Command, type NodeRegistration } from '@shoal/state';
import { nodeRegistration } from '@shoal/testkit';
import { newSealKeyPair, type RandomBytes, type SealKeyPair } from '../src/index.js';

/** A deterministic byte stream: SHA-256 of (seed, counter). */
export function seeded(seed: string): RandomBytes {
  let counter = 0;
  return (n) => {
    const out = Buffer.alloc(n);
    for (let off = 0; off < n; off += 32) createHash('sha256').update(`${seed}/${counter++}`).digest().copy(out, off);
    return out;
  };
}

export function reg(id: string, sealKey?: string): NodeRegistration {
  return nodeRegistration(id, { name: `host-${id}`, ...(sealKey ? { sealKey } : {}) });
}

/** A replica fed through the log codec, keeping every encoded entry (what a node's Raft log holds). */
export class Replica {
  readonly state = new ClusterState();
  readonly log: Uint8Array[] = [];
  apply(cmds: Command[]): void {
    for (const c of cmds) {
      const bytes = encodeCommand(c);
      this.log.push(bytes);
      const r = this.state.apply(decodeCommand(bytes), this.state.lastApplied + 1);
      if (!r.ok) throw new Error(`${c.type} refused: ${r.error.message}`);
    }
  }
}

export function keysFor(ids: string[], random: RandomBytes): Record<string, SealKeyPair> {
  return Object.fromEntries(ids.map((id) => [id, newSealKeyPair(random)]));
}
