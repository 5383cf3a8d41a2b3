import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RaftError } from '../src/errors.js';
import {
  MAX_MESSAGE_BYTES, decodeConfChange, decodeEntry, decodeMessage, decodeSnapshot, encodeConfChange, encodeEntry,
  encodeMessage, encodeSnapshot,
} from '../src/codec.js';
import type { Message, MessageType } from '../src/types.js';
import { Cluster, enc, seeded } from './harness.js';

const TYPES: MessageType[] = [
  'preVote', 'preVoteResp', 'vote', 'voteResp', 'append', 'appendResp', 'heartbeat',
  'heartbeatResp', 'snapshot', 'snapshotResp', 'timeoutNow', 'readIndex', 'readIndexResp',
];

const full: Message = {
  type: 'append',
  from: 'node-α',
  to: 'b',
  term: 2 ** 40,
  index: 12345678901,
  logTerm: 7,
  entries: [
    { term: 7, index: 12345678902, type: 'normal', data: enc('hello') },
    { term: 7, index: 12345678903, type: 'conf', data: encodeConfChange({ type: 'addVoter', node: 'd' }) },
    { term: 8, index: 12345678904, type: 'normal', data: new Uint8Array(0) },
  ],
  commit: 99,
  reject: true,
  rejectHint: 3,
  rejectTerm: 2,
  snapshot: { meta: { index: 5, term: 1, conf: { voters: ['a', 'b'], learners: ['c'] } }, data: new Uint8Array([1, 2, 3]) },
  context: 'read-1',
};

const isDecodeError = (e: unknown): boolean => e instanceof RaftError && (e.code === 'BAD_MESSAGE' || e.code === 'TOO_LARGE');

describe('codec', () => {
  it('round-trips every message type, with and without optional fields', () => {
    for (const type of TYPES) {
      const bare: Message = { type, from: 'a', to: 'b', term: 0 };
      assert.deepEqual(decodeMessage(encodeMessage(bare)), bare);
      const m = { ...full, type };
      assert.deepEqual(decodeMessage(encodeMessage(m)), m);
    }
  });

  it('round-trips entries, conf changes (with the resulting membership) and snapshots', () => {
    const e = { term: 3, index: 2 ** 50, type: 'conf' as const, data: enc('x'.repeat(1000)) };
    assert.deepEqual(decodeEntry(encodeEntry(e)), e);
    for (const cc of [
      { type: 'addLearner' as const, node: 'n-1' },
      { type: 'removeNode' as const, node: 'n-2', conf: { voters: ['a'], learners: ['b'] } },
    ]) assert.deepEqual(decodeConfChange(encodeConfChange(cc)), cc);
    const s = full.snapshot!;
    assert.deepEqual(decodeSnapshot(encodeSnapshot(s)), s);
  });

  it('decoded bytes do not alias the input buffer', () => {
    const b = encodeEntry({ term: 1, index: 1, type: 'normal', data: enc('abc') });
    const e = decodeEntry(b);
    b.fill(0);
    assert.deepEqual(e.data, enc('abc'));
  });

  it('rejects every truncation and every trailing byte of a valid message', () => {
    const b = encodeMessage(full);
    for (let n = 0; n < b.length; n++) assert.throws(() => decodeMessage(b.subarray(0, n)), isDecodeError, `prefix ${n}`);
    const longer = new Uint8Array(b.length + 1);
    longer.set(b);
    assert.throws(() => decodeMessage(longer), isDecodeError);
  });

  it('rejects unknown versions, types, flags, bad UTF-8, non-canonical and oversized integers', () => {
    const b = encodeMessage({ type: 'heartbeat', from: 'a', to: 'b', term: 1 });
    const patched = (i: number, v: number): Uint8Array => {
      const c = b.slice();
      c[i] = v;
      return c;
    };
    assert.throws(() => decodeMessage(patched(0, 2)), isDecodeError); // version
    assert.throws(() => decodeMessage(patched(1, 13)), isDecodeError); // type
    assert.throws(() => decodeMessage(patched(2, 0x7f)), isDecodeError); // flags announcing fields that are not there
    assert.throws(() => decodeMessage(patched(4, 0xff)), isDecodeError); // invalid UTF-8 in `from`
    assert.throws(() => decodeMessage(new Uint8Array([1, 6, 0x80, 0x00, 1, 97, 1, 98, 1])), isDecodeError); // non-canonical flags
    const big = new Uint8Array([1, 6, 0, 1, 97, 1, 98, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
    assert.throws(() => decodeMessage(big), isDecodeError); // term > 2^53
    // A count that claims more entries than bytes left.
    assert.throws(() => decodeMessage(new Uint8Array([1, 4, 4, 1, 97, 1, 98, 1, 0xff, 0xff, 0x03])), isDecodeError);
    assert.throws(() => decodeMessage(new Uint8Array(0)), isDecodeError);
    assert.throws(() => decodeMessage('nope' as unknown as Uint8Array), isDecodeError);
    assert.throws(() => decodeConfChange(new Uint8Array([1, 9, 1, 97])), isDecodeError);
    assert.throws(() => decodeConfChange(new Uint8Array([1, 0, 0])), isDecodeError); // empty node id
  });

  it('bounds message size on both sides', () => {
    const huge = new Uint8Array(MAX_MESSAGE_BYTES + 1);
    huge[0] = 1;
    assert.throws(() => decodeMessage(huge), (e: unknown) => e instanceof RaftError && e.code === 'TOO_LARGE');
    const m: Message = { type: 'snapshot', from: 'a', to: 'b', term: 1, snapshot: { meta: { index: 1, term: 1, conf: { voters: ['a'], learners: [] } }, data: huge } };
    assert.throws(() => encodeMessage(m), (e: unknown) => e instanceof RaftError && e.code === 'TOO_LARGE');
  });

  it('fuzz: 100k random and mutated buffers throw nothing but coded decode errors, and stepping what decodes never throws', () => {
    const rnd = seeded(42);
    const c = new Cluster(['a', 'b', 'c'], { seed: 1 });
    const leader = c.elect();
    c.tick(2);
    const follower = ['a', 'b', 'c'].find((x) => x !== leader)!;
    const seeds = [
      ...TYPES.map((type) => encodeMessage({ ...full, type, from: 'a', to: follower })),
      ...TYPES.map((type) => encodeMessage({ type, from: follower, to: leader, term: 1, index: 1, commit: 1, context: 'x' })),
      encodeEntry(full.entries![0]!),
      encodeConfChange({ type: 'addVoter', node: 'z', conf: { voters: ['a'], learners: [] } }),
    ];
    let decoded = 0;
    for (let i = 0; i < 100_000; i++) {
      let buf: Uint8Array;
      if (i % 4 === 0) {
        buf = new Uint8Array(Math.floor(rnd() * 64));
        for (let k = 0; k < buf.length; k++) buf[k] = Math.floor(rnd() * 256);
        if (buf.length > 0 && rnd() < 0.5) buf[0] = 1;
      } else {
        const base = seeds[Math.floor(rnd() * seeds.length)]!;
        buf = base.slice();
        const edits = 1 + Math.floor(rnd() * 4);
        for (let k = 0; k < edits; k++) {
          const op = rnd();
          const at = Math.floor(rnd() * buf.length);
          if (op < 0.6) buf[at] = Math.floor(rnd() * 256);
          else if (op < 0.8) buf = buf.slice(0, at);
          else {
            const grown = new Uint8Array(buf.length + 1);
            grown.set(buf.subarray(0, at));
            grown[at] = Math.floor(rnd() * 256);
            grown.set(buf.subarray(at), at + 1);
            buf = grown;
          }
        }
      }
      for (const decode of [decodeMessage, decodeEntry, decodeConfChange] as Array<(b: Uint8Array) => unknown>) {
        try {
          const out = decode(buf);
          if (decode === decodeMessage) {
            decoded++;
            const m = out as Message;
            c.node(leader).step({ ...m, to: leader });
            c.node(follower).step({ ...m, to: follower });
          }
        } catch (err) {
          if (!isDecodeError(err)) throw err;
        }
      }
    }
    assert.ok(decoded > 1000, `some mutations still decode (${decoded}) and were stepped`);
  });
});
