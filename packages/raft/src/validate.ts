import type { Entry, Message, MessageType, Snapshot } from './types.js';

/**
 * Shape checks for messages handed to `step`: a peer (or a buggy caller)
 * can send anything, and `step` must ignore what it cannot trust rather
 * than throw or corrupt the log.
 */

const TYPES = new Set<MessageType>([
  'preVote', 'preVoteResp', 'vote', 'voteResp', 'append', 'appendResp', 'heartbeat',
  'heartbeatResp', 'snapshot', 'snapshotResp', 'timeoutNow', 'readIndex', 'readIndexResp',
]);

const isIndex = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const optIndex = (n: unknown): boolean => n === undefined || isIndex(n);
const isId = (s: unknown): s is string => typeof s === 'string' && s.length > 0;

export function isWellFormed(m: Message): boolean {
  if (m === null || typeof m !== 'object') return false;
  if (!TYPES.has(m.type) || !isId(m.from) || !isId(m.to) || !isIndex(m.term)) return false;
  if (!optIndex(m.index) || !optIndex(m.logTerm) || !optIndex(m.commit)) return false;
  if (!optIndex(m.rejectHint) || !optIndex(m.rejectTerm)) return false;
  if (m.context !== undefined && typeof m.context !== 'string') return false;
  if (m.entries !== undefined && !Array.isArray(m.entries)) return false;
  if (m.snapshot !== undefined && !isSnapshot(m.snapshot)) return false;
  return true;
}

function isEntry(e: Entry): boolean {
  return e !== null && typeof e === 'object' && isIndex(e.term) && isIndex(e.index) && (e.type === 'normal' || e.type === 'conf') && e.data instanceof Uint8Array;
}

/** Entries of an append after `prevIndex`/`prevTerm` sent at `term`: contiguous, terms ordered. */
export function areAppendable(ents: Entry[], prevIndex: number, prevTerm: number, term: number): boolean {
  let lastTerm = prevTerm;
  for (let i = 0; i < ents.length; i++) {
    const e = ents[i]!;
    if (!isEntry(e) || e.index !== prevIndex + 1 + i || e.term < lastTerm || e.term > term) return false;
    lastTerm = e.term;
  }
  return true;
}

function isSnapshot(s: Snapshot): boolean {
  if (s === null || typeof s !== 'object' || s.meta === null || typeof s.meta !== 'object') return false;
  const c = s.meta.conf;
  return (
    isIndex(s.meta.index) && isIndex(s.meta.term) && s.data instanceof Uint8Array &&
    c !== null && typeof c === 'object' && Array.isArray(c.voters) && Array.isArray(c.learners) &&
    c.voters.every(isId) && c.learners.every(isId)
  );
}
