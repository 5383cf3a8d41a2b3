import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newSealKeyPair, open, seal, sealKeyPairFromPrivate } from '../src/index.js';
import { seeded } from './fixtures.js';

test('a sealed value opens with the recipient key and the same context', () => {
  const random = seeded('box');
  const bob = newSealKeyPair(random);
  const sealed = seal(bob.publicKey, Buffer.from('hunter2'), 'ctx-a', random);
  assert.equal(open(bob.privateKey, sealed, 'ctx-a').toString(), 'hunter2');
  assert.ok(!Buffer.from(sealed, 'base64url').includes(Buffer.from('hunter2')));
});

test('another key, another context or a flipped bit does not open (coded error, no value in the message)', () => {
  const random = seeded('box2');
  const bob = newSealKeyPair(random);
  const eve = newSealKeyPair(random);
  const sealed = seal(bob.publicKey, Buffer.from('hunter2'), 'ctx-a', random);
  for (const [key, blob, ctx] of [
    [eve.privateKey, sealed, 'ctx-a'],
    [bob.privateKey, sealed, 'ctx-b'],
    [bob.privateKey, flip(sealed, 62), 'ctx-a'],
    [bob.privateKey, sealed.slice(0, 20), 'ctx-a'],
  ] as const) {
    assert.throws(() => open(key, blob, ctx), (err: Error & { code?: string }) => err.code === 'CORRUPT_STORE' && !err.message.includes('hunter2'));
  }
});

test('the same random source gives the same sealed bytes; fresh randomness gives different ones', () => {
  const a = seal(newSealKeyPair(seeded('k')).publicKey, Buffer.from('x'), 'c', seeded('r'));
  const b = seal(newSealKeyPair(seeded('k')).publicKey, Buffer.from('x'), 'c', seeded('r'));
  const c = seal(newSealKeyPair(seeded('k')).publicKey, Buffer.from('x'), 'c', seeded('r2'));
  assert.equal(a, b);
  assert.notEqual(a, c);
});

test('a key pair is recovered from its private half', () => {
  const pair = newSealKeyPair(seeded('p'));
  assert.deepEqual(sealKeyPairFromPrivate(pair.privateKey), pair);
  assert.equal(Buffer.from(pair.publicKey, 'base64url').length, 32);
});

function flip(b64: string, byte: number): string {
  const raw = Buffer.from(b64, 'base64url');
  raw[byte] ^= 1;
  return raw.toString('base64url');
}
