/**
 * Bodies of the records the store keeps. Binary for entries (hot path), JSON
 * for the small, rarely written ones. Decoders throw on malformed input; the
 * store turns that into CORRUPT_STORE.
 */
import type { ConfState, Entry, HardState, Snapshot, SnapshotMeta } from '@shoal/raft';
import { readU64, writeU64 } from './keys.js';

const ENTRY_HEADER = 17; // type (1) | term (8) | index (8)

export function encodeEntryBody(e: Entry): Buffer {
  const buf = Buffer.allocUnsafe(ENTRY_HEADER + e.data.length);
  buf[0] = e.type === 'conf' ? 1 : 0;
  writeU64(buf, e.term, 1);
  writeU64(buf, e.index, 9);
  buf.set(e.data, ENTRY_HEADER);
  return buf;
}

export function decodeEntryBody(body: Buffer): Entry {
  if (body.length < ENTRY_HEADER) throw new Error(`entry body is ${body.length} bytes, shorter than its header`);
  if (body[0] > 1) throw new Error(`unknown entry type ${body[0]}`);
  // Copy the payload: the FSM may keep it, and it must not alias LevelDB's buffer pool.
  return { type: body[0] === 1 ? 'conf' : 'normal', term: readU64(body, 1), index: readU64(body, 9), data: new Uint8Array(body.subarray(ENTRY_HEADER)) };
}

export function encodeSnapshotBody(s: Snapshot): Buffer {
  const meta = Buffer.from(JSON.stringify(s.meta), 'utf8');
  const buf = Buffer.allocUnsafe(4 + meta.length + s.data.length);
  buf.writeUInt32BE(meta.length, 0);
  meta.copy(buf, 4);
  buf.set(s.data, 4 + meta.length);
  return buf;
}

export function decodeSnapshotBody(body: Buffer): Snapshot {
  if (body.length < 4) throw new Error('snapshot body shorter than its length prefix');
  const metaLen = body.readUInt32BE(0);
  if (4 + metaLen > body.length) throw new Error(`snapshot meta length ${metaLen} exceeds the record`);
  const meta = JSON.parse(body.subarray(4, 4 + metaLen).toString('utf8')) as SnapshotMeta;
  if (!isCount(meta.index) || !isCount(meta.term) || !isConf(meta.conf)) throw new Error('snapshot meta is malformed');
  return { meta, data: new Uint8Array(body.subarray(4 + metaLen)) };
}

export function encodeJson(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export function decodeHardState(body: Buffer): HardState {
  const hs = JSON.parse(body.toString('utf8')) as HardState;
  if (!isCount(hs.term) || !isCount(hs.commit) || !(hs.vote === null || typeof hs.vote === 'string')) throw new Error('hard state is malformed');
  return { term: hs.term, vote: hs.vote, commit: hs.commit };
}

export function decodeConf(body: Buffer): ConfState {
  const conf = JSON.parse(body.toString('utf8')) as ConfState;
  if (!isConf(conf)) throw new Error('membership record is malformed');
  return { voters: [...conf.voters], learners: [...conf.learners] };
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function isConf(c: unknown): c is ConfState {
  const conf = c as ConfState;
  return typeof conf === 'object' && conf !== null && isStrings(conf.voters) && isStrings(conf.learners);
}

function isStrings(a: unknown): a is string[] {
  return Array.isArray(a) && a.every((s) => typeof s === 'string');
}
