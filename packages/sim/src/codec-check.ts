import type { Message } from '@shoal/raft';

/**
 * A canonical form of a message for round-trip checks: keys sorted, bytes as
 * hex, and fields a codec may legitimately leave out when they hold their
 * zero value (undefined, null, false, 0, '', empty list) removed.
 */
export function canonicalMessage(m: Message): string {
  return JSON.stringify(canon(m));
}

function canon(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return v.map(canon);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x === undefined || x === null || x === false || x === 0 || x === '' || (Array.isArray(x) && x.length === 0) || (x instanceof Uint8Array && x.length === 0)) continue;
      out[k] = canon(x);
    }
    return out;
  }
  return v;
}
