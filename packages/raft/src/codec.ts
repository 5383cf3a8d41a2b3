import { RaftError } from './errors.js';
import type { ConfChange, ConfChangeType, ConfState, Entry, EntryType, Message, MessageType, Snapshot } from './types.js';
import { Reader, Writer, badMessage } from './wire.js';

/**
 * The versioned binary encoding of Raft messages, log entries and conf
 * changes. Decoding is strict: any malformed, truncated, oversized or
 * trailing input throws a RaftError (BAD_MESSAGE or TOO_LARGE) and
 * nothing else, because these bytes come from peers and from disk.
 */

/** Upper bound of one encoded message, snapshot included. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Upper bound of a node id and of a ReadIndex context on the wire. */
export const MAX_ID_BYTES = 1024;
export const MAX_CONTEXT_BYTES = 4096;

const VERSION = 1;

const MESSAGE_TYPES: readonly MessageType[] = [
  'preVote', 'preVoteResp', 'vote', 'voteResp', 'append', 'appendResp', 'heartbeat',
  'heartbeatResp', 'snapshot', 'snapshotResp', 'timeoutNow', 'readIndex', 'readIndexResp',
];
const ENTRY_TYPES: readonly EntryType[] = ['normal', 'conf'];
const CONF_CHANGE_TYPES: readonly ConfChangeType[] = ['addVoter', 'addLearner', 'promoteLearner', 'removeNode'];

// Presence bits of the optional message fields.
const F_INDEX = 1;
const F_LOG_TERM = 2;
const F_ENTRIES = 4;
const F_COMMIT = 8;
const F_REJECT = 16;
const F_REJECT_HINT = 32;
const F_REJECT_TERM = 64;
const F_SNAPSHOT = 128;
const F_CONTEXT = 256;
const F_ALL = 511;

function tooLarge(size: number): RaftError {
  return new RaftError('TOO_LARGE', `raft message of ${size} bytes exceeds the ${MAX_MESSAGE_BYTES}-byte limit; compact the log more often or lower maxSizePerMsg`);
}

function enumIndex<T>(values: readonly T[], v: T, what: string): number {
  const i = values.indexOf(v);
  if (i < 0) throw badMessage(`unknown ${what} ${String(v)}`);
  return i;
}

function enumAt<T>(values: readonly T[], i: number, what: string): T {
  const v = values[i];
  if (v === undefined) throw badMessage(`unknown ${what} code ${i}`);
  return v;
}

function writeEntry(w: Writer, e: Entry): void {
  w.uint(e.term);
  w.uint(e.index);
  w.byte(enumIndex(ENTRY_TYPES, e.type, 'entry type'));
  w.bytes(e.data);
}

function readEntry(r: Reader): Entry {
  const term = r.uint();
  const index = r.uint();
  const type = enumAt(ENTRY_TYPES, r.byte(), 'entry type');
  const data = r.bytes();
  return { term, index, type, data };
}

function writeConf(w: Writer, c: ConfState): void {
  w.uint(c.voters.length);
  for (const v of c.voters) w.string(v);
  w.uint(c.learners.length);
  for (const l of c.learners) w.string(l);
}

function readConf(r: Reader): ConfState {
  const voters: string[] = [];
  for (let n = r.count(1); n > 0; n--) voters.push(r.string(MAX_ID_BYTES));
  const learners: string[] = [];
  for (let n = r.count(1); n > 0; n--) learners.push(r.string(MAX_ID_BYTES));
  return { voters, learners };
}

function writeSnapshot(w: Writer, s: Snapshot): void {
  w.uint(s.meta.index);
  w.uint(s.meta.term);
  writeConf(w, s.meta.conf);
  w.bytes(s.data);
}

function readSnapshot(r: Reader): Snapshot {
  const index = r.uint();
  const term = r.uint();
  const conf = readConf(r);
  const data = r.bytes();
  return { meta: { index, term, conf }, data };
}

function guard<T>(b: Uint8Array, decode: (r: Reader) => T): T {
  if (!(b instanceof Uint8Array)) throw badMessage('expected bytes');
  if (b.length > MAX_MESSAGE_BYTES) throw tooLarge(b.length);
  try {
    const r = new Reader(b);
    if (r.byte() !== VERSION) throw badMessage('unsupported version');
    const out = decode(r);
    r.end();
    return out;
  } catch (err) {
    if (err instanceof RaftError) throw err;
    // TextDecoder and friends throw TypeError/RangeError on bad input.
    throw badMessage(err instanceof Error ? err.message : 'undecodable');
  }
}

function finish(w: Writer): Uint8Array {
  if (w.length > MAX_MESSAGE_BYTES) throw tooLarge(w.length);
  return w.finish();
}

export function encodeMessage(m: Message): Uint8Array {
  const w = new Writer(64 + (m.entries ? m.entries.length * 32 : 0));
  w.byte(VERSION);
  w.byte(enumIndex(MESSAGE_TYPES, m.type, 'message type'));
  let flags = 0;
  if (m.index !== undefined) flags |= F_INDEX;
  if (m.logTerm !== undefined) flags |= F_LOG_TERM;
  if (m.entries !== undefined) flags |= F_ENTRIES;
  if (m.commit !== undefined) flags |= F_COMMIT;
  if (m.reject) flags |= F_REJECT;
  if (m.rejectHint !== undefined) flags |= F_REJECT_HINT;
  if (m.rejectTerm !== undefined) flags |= F_REJECT_TERM;
  if (m.snapshot !== undefined) flags |= F_SNAPSHOT;
  if (m.context !== undefined) flags |= F_CONTEXT;
  w.uint(flags);
  w.string(m.from);
  w.string(m.to);
  w.uint(m.term);
  if (m.index !== undefined) w.uint(m.index);
  if (m.logTerm !== undefined) w.uint(m.logTerm);
  if (m.entries !== undefined) {
    w.uint(m.entries.length);
    for (const e of m.entries) {
      writeEntry(w, e);
      if (w.length > MAX_MESSAGE_BYTES) throw tooLarge(w.length);
    }
  }
  if (m.commit !== undefined) w.uint(m.commit);
  if (m.rejectHint !== undefined) w.uint(m.rejectHint);
  if (m.rejectTerm !== undefined) w.uint(m.rejectTerm);
  if (m.snapshot !== undefined) {
    if (m.snapshot.data.length > MAX_MESSAGE_BYTES) throw tooLarge(m.snapshot.data.length);
    writeSnapshot(w, m.snapshot);
  }
  if (m.context !== undefined) w.string(m.context);
  return finish(w);
}

export function decodeMessage(b: Uint8Array): Message {
  return guard(b, (r) => {
    const type = enumAt(MESSAGE_TYPES, r.byte(), 'message type');
    const flags = r.uint();
    if ((flags & ~F_ALL) !== 0) throw badMessage('unknown fields');
    const from = r.string(MAX_ID_BYTES);
    const to = r.string(MAX_ID_BYTES);
    const term = r.uint();
    const m: Message = { type, from, to, term };
    if (flags & F_INDEX) m.index = r.uint();
    if (flags & F_LOG_TERM) m.logTerm = r.uint();
    if (flags & F_ENTRIES) {
      const entries: Entry[] = [];
      // An entry takes at least 4 bytes (term, index, type, data length).
      for (let n = r.count(4); n > 0; n--) entries.push(readEntry(r));
      m.entries = entries;
    }
    if (flags & F_COMMIT) m.commit = r.uint();
    if (flags & F_REJECT) m.reject = true;
    if (flags & F_REJECT_HINT) m.rejectHint = r.uint();
    if (flags & F_REJECT_TERM) m.rejectTerm = r.uint();
    if (flags & F_SNAPSHOT) m.snapshot = readSnapshot(r);
    if (flags & F_CONTEXT) m.context = r.string(MAX_CONTEXT_BYTES);
    return m;
  });
}

export function encodeEntry(e: Entry): Uint8Array {
  const w = new Writer(16 + e.data.length);
  w.byte(VERSION);
  writeEntry(w, e);
  return finish(w);
}

export function decodeEntry(b: Uint8Array): Entry {
  return guard(b, readEntry);
}

export function encodeConfChange(cc: ConfChange): Uint8Array {
  const w = new Writer(32);
  w.byte(VERSION);
  w.byte(enumIndex(CONF_CHANGE_TYPES, cc.type, 'conf change type'));
  w.string(cc.node);
  if (cc.conf) writeConf(w, cc.conf);
  return finish(w);
}

export function decodeConfChange(b: Uint8Array): ConfChange {
  return guard(b, (r) => {
    const type = enumAt(CONF_CHANGE_TYPES, r.byte(), 'conf change type');
    const node = r.string(MAX_ID_BYTES);
    if (node.length === 0) throw badMessage('empty node id');
    const cc: ConfChange = { type, node };
    if (r.remaining > 0) cc.conf = readConf(r);
    return cc;
  });
}

/** Snapshot metadata + data as one blob, for storage. */
export function encodeSnapshot(s: Snapshot): Uint8Array {
  const w = new Writer(64 + s.data.length);
  w.byte(VERSION);
  writeSnapshot(w, s);
  return finish(w);
}

export function decodeSnapshot(b: Uint8Array): Snapshot {
  return guard(b, readSnapshot);
}
