/**
 * SWIM wire messages and membership updates, validated as untrusted input:
 * anything malformed is ShoalError BAD_MESSAGE and is dropped by the caller
 * (a node never crashes on what a peer sends). Updates about others travel
 * piggybacked; `sig` is the subject's (alive) or the accuser's (suspect,
 * dead) signature, checked by an injected verifier.
 */
import { ErrorCode, ShoalError } from '@shoal/types';

export type MemberStatus = 'alive' | 'suspect' | 'dead';

export interface MemberUpdate {
  status: MemberStatus;
  node: string;
  incarnation: number;
  /** Who says so: the node itself for alive, the accuser for suspect and dead. */
  from: string;
  /** Signature of `from` over the update (opaque here; see SwimOptions.verify). */
  sig?: string;
}

export type SwimMessage =
  | { type: 'ping'; seq: number; updates: MemberUpdate[] }
  | { type: 'ping-req'; seq: number; target: string; updates: MemberUpdate[] }
  | { type: 'ack'; seq: number; updates: MemberUpdate[] }
  | { type: 'nack'; seq: number }
  | { type: 'gossip'; updates: MemberUpdate[] };

export const MAX_SWIM_UPDATES = 64;
const MAX_ID = 128;
const STATUSES: readonly MemberStatus[] = ['alive', 'suspect', 'dead'];

function bad(what: string): never {
  throw new ShoalError(ErrorCode.BadMessage, `bad swim message: ${what}`);
}

function id(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_ID) bad(`${what} must be a non-empty string of at most ${MAX_ID} chars`);
  return v;
}

function count(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) bad(`${what} must be a non-negative integer`);
  return v;
}

function update(v: unknown, i: number): MemberUpdate {
  if (typeof v !== 'object' || v === null) bad(`updates[${i}] must be an object`);
  const u = v as Record<string, unknown>;
  if (!STATUSES.includes(u.status as MemberStatus)) bad(`updates[${i}].status must be alive, suspect or dead`);
  const out: MemberUpdate = { status: u.status as MemberStatus, node: id(u.node, `updates[${i}].node`), incarnation: count(u.incarnation, `updates[${i}].incarnation`), from: id(u.from, `updates[${i}].from`) };
  if (u.sig !== undefined) {
    if (typeof u.sig !== 'string' || u.sig.length > 512) bad(`updates[${i}].sig must be a string of at most 512 chars`);
    out.sig = u.sig;
  }
  return out;
}

function updates(v: unknown): MemberUpdate[] {
  if (!Array.isArray(v) || v.length > MAX_SWIM_UPDATES) bad(`updates must be an array of at most ${MAX_SWIM_UPDATES}`);
  return v.map(update);
}

/** Checks a decoded message field by field; returns a clean copy. */
export function validateSwimMessage(v: unknown): SwimMessage {
  if (typeof v !== 'object' || v === null) bad('not an object');
  const m = v as Record<string, unknown>;
  switch (m.type) {
    case 'ping':
    case 'ack':
      return { type: m.type, seq: count(m.seq, 'seq'), updates: updates(m.updates) };
    case 'ping-req':
      return { type: 'ping-req', seq: count(m.seq, 'seq'), target: id(m.target, 'target'), updates: updates(m.updates) };
    case 'nack':
      return { type: 'nack', seq: count(m.seq, 'seq') };
    case 'gossip':
      return { type: 'gossip', updates: updates(m.updates) };
    default:
      return bad('unknown type');
  }
}

/** The canonical bytes a signature covers. */
export function updateSigningText(u: MemberUpdate): string {
  return `swim/1|${u.status}|${u.node}|${u.incarnation}|${u.from}`;
}
