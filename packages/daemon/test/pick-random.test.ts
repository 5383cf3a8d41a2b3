import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickRandom } from '../src/runtime.js';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('pickRandom: at most n distinct members, all of them when there are fewer, the input untouched', () => {
  const members = Array.from({ length: 50 }, (_, i) => `n${i}`);
  const copy = [...members];
  const rng = seeded(7);
  for (let round = 0; round < 200; round++) {
    const picked = pickRandom(members, 3, rng);
    assert.equal(picked.length, 3);
    assert.equal(new Set(picked).size, 3);
    for (const p of picked) assert.ok(members.includes(p));
  }
  assert.deepEqual(members, copy);
  assert.deepEqual(pickRandom(['a', 'b'], 3, rng).sort(), ['a', 'b']);
  assert.deepEqual(pickRandom([], 3, rng), []);
});

test('pickRandom: every member is sampled about equally often', () => {
  const members = Array.from({ length: 10 }, (_, i) => `n${i}`);
  const rng = seeded(11);
  const counts = new Map<string, number>();
  for (let round = 0; round < 10_000; round++) for (const p of pickRandom(members, 3, rng)) counts.set(p, (counts.get(p) ?? 0) + 1);
  // 30,000 picks over 10 members: 3,000 each; a biased shuffle is off by far more than 10 %.
  for (const m of members) assert.ok(Math.abs((counts.get(m) ?? 0) - 3000) < 300, `${m}: ${counts.get(m)}`);
});
