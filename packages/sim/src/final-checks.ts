import type { Entry, NodeId } from '@shoal/raft';
import type { KvStore } from './kv.js';
import { SimViolation } from './violation.js';

/** One converged replica as the end-of-run checks see it. */
export interface Replica {
  id: NodeId;
  kv: KvStore;
  /** Its durable log (entries after its snapshot). */
  log: readonly Entry[];
}

/** Every write a client saw acknowledged is in every replica's state. */
export function checkNoLostWrites(acknowledged: readonly string[], replicas: readonly Replica[]): void {
  for (const r of replicas) {
    for (const op of acknowledged) {
      if (!r.kv.hasApplied(op)) throw new SimViolation('lost-write', `acknowledged write ${op} is missing from ${r.id}'s state`);
    }
  }
}

/** Replicas at the same applied index hold the same state. */
export function checkReplicasAgree(replicas: readonly Replica[]): void {
  if (replicas.length === 0) return;
  const first = replicas[0];
  for (const r of replicas) {
    if (r.kv.applied === first.kv.applied && r.kv.digest() !== first.kv.digest()) {
      throw new SimViolation('replica-divergence', `${r.id} and ${first.id} applied up to ${r.kv.applied} but hold different state`);
    }
  }
}

/** Log matching: if two logs hold an entry with the same index and term, they agree on every entry before it. */
export function checkLogMatching(replicas: readonly Replica[]): void {
  const logs = replicas.map((r) => ({ id: r.id, terms: new Map(r.log.map((e) => [e.index, e.term])) }));
  for (let i = 0; i < logs.length; i++) {
    for (let j = i + 1; j < logs.length; j++) {
      const a = logs[i];
      const b = logs[j];
      const common = [...a.terms.keys()].filter((k) => b.terms.has(k)).sort((x, y) => y - x);
      let matched = false;
      for (const idx of common) {
        const same = a.terms.get(idx) === b.terms.get(idx);
        if (matched && !same) throw new SimViolation('log-matching', `${a.id} and ${b.id} agree at a later index but differ at ${idx}`);
        if (same) matched = true;
      }
    }
  }
}
