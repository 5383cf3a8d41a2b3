import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLinearizable, History } from '../src/index.js';
import type { KvOp, KvResult } from '../src/index.js';

/** Builds a history from [client, op, result|null, callOrder, returnOrder|null] rows. */
function hist(rows: [string, KvOp, KvResult | null, number, number | null][]): History {
  const h = new History();
  for (const [client, input, output, call, ret] of rows) {
    const op = h.invoke(client, input);
    op.call = call;
    op.output = output;
    op.ret = ret ?? Infinity;
  }
  return h;
}

const put = (value: string): KvOp => ({ kind: 'put', key: 'x', value });
const get: KvOp = { kind: 'get', key: 'x' };
const cas = (expect: string | null, value: string): KvOp => ({ kind: 'cas', key: 'x', expect, value });
const ok: KvResult = { ok: true };
const val = (value: string | null): KvResult => ({ value });

test('a sequential history that follows the spec is linearizable', () => {
  const h = hist([
    ['a', put('1'), ok, 1, 2],
    ['b', get, val('1'), 3, 4],
    ['a', cas('1', '2'), { swapped: true }, 5, 6],
    ['b', cas('1', '3'), { swapped: false }, 7, 8],
    ['b', get, val('2'), 9, 10],
  ]);
  assert.deepEqual(checkLinearizable(h.ops), { ok: true });
});

test('concurrent operations may take effect in either order', () => {
  // The read overlaps both writes and sees the first one's value after the second finished? No: it overlaps only put(2).
  const h = hist([
    ['a', put('1'), ok, 1, 4],
    ['b', put('2'), ok, 2, 3],
    ['c', get, val('1'), 5, 6],
  ]);
  assert.deepEqual(checkLinearizable(h.ops), { ok: true });
});

test('a stale read after a completed write is detected', () => {
  const h = hist([
    ['a', put('1'), ok, 1, 2],
    ['b', get, val(null), 3, 4],
  ]);
  const res = checkLinearizable(h.ops);
  assert.equal(res.ok, false);
  assert.equal(res.ok === false && res.key, 'x');
});

test('a read that goes back in time is detected', () => {
  const h = hist([
    ['a', put('1'), ok, 1, 2],
    ['a', put('2'), ok, 3, 4],
    ['b', get, val('2'), 5, 6],
    ['c', get, val('1'), 7, 8],
  ]);
  assert.equal(checkLinearizable(h.ops).ok, false);
});

test('two compare-and-sets cannot both win from the same value', () => {
  const h = hist([
    ['a', put('0'), ok, 1, 2],
    ['b', cas('0', 'b'), { swapped: true }, 3, 6],
    ['c', cas('0', 'c'), { swapped: true }, 4, 5],
  ]);
  assert.equal(checkLinearizable(h.ops).ok, false);
});

test('a write with an unknown outcome may or may not have taken effect', () => {
  const seen = hist([
    ['a', put('1'), null, 1, null],
    ['b', get, val('1'), 2, 3],
  ]);
  assert.deepEqual(checkLinearizable(seen.ops), { ok: true });
  const unseen = hist([
    ['a', put('1'), null, 1, null],
    ['b', get, val(null), 2, 3],
    ['b', get, val(null), 4, 5],
  ]);
  assert.deepEqual(checkLinearizable(unseen.ops), { ok: true });
  // ...but once observed it cannot be un-applied.
  const flicker = hist([
    ['a', put('1'), null, 1, null],
    ['b', get, val('1'), 2, 3],
    ['b', get, val(null), 4, 5],
  ]);
  assert.equal(checkLinearizable(flicker.ops).ok, false);
});

test('an unknown write cannot take effect before it was invoked', () => {
  const h = hist([
    ['b', get, val('1'), 1, 2],
    ['a', put('1'), null, 3, null],
  ]);
  assert.equal(checkLinearizable(h.ops).ok, false);
});

test('keys are checked independently', () => {
  const h = new History();
  const a = h.invoke('a', { kind: 'put', key: 'x', value: '1' });
  h.complete(a, ok);
  const b = h.invoke('b', { kind: 'get', key: 'y' });
  h.complete(b, val(null));
  assert.deepEqual(checkLinearizable(h.ops), { ok: true });
});

test('a long, heavily concurrent history is checked within budget', () => {
  const h = new History();
  const open: ReturnType<History['invoke']>[] = [];
  let state: string | null = null;
  // Ten clients with overlapping ops, each result consistent with taking effect at its call.
  for (let i = 0; i < 300; i++) {
    const op = h.invoke(`c${i % 10}`, i % 3 === 0 ? get : put(String(i)));
    const out: KvResult = op.input.kind === 'get' ? val(state) : ok;
    if (op.input.kind === 'put') state = op.input.value;
    open.push(op);
    op.output = out;
    if (open.length > 5) {
      const done = open.shift()!;
      h.complete(done, done.output!);
    }
  }
  for (const op of open) h.complete(op, op.output!);
  assert.deepEqual(checkLinearizable(h.ops), { ok: true });
});
