/**
 * Every decoder that reads bytes from a peer or a user gets >= 100,000 random
 * and mutated inputs: it may only return a value or throw a ShoalError, and
 * must return promptly. Seeded, so a failure replays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShoalError } from '@shoal/types';
import { seededRandom } from '@shoal/testkit';
import { decodeHeartbeat, encodeHeartbeat } from '@shoal/membership';
import {
  decodeJoinToken,
  decodeRpcRequest,
  decodeRpcResponse,
  encodeFrames,
  encodeJoinToken,
  encodeRpcRequest,
  encodeRpcResponse,
  FrameDecoder,
  generateClusterSecrets,
} from '../src/index.js';

const RUNS = 100_000;
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);


const enc = new TextEncoder();
const TOKENS = ['{', '}', '[', ']', '"', ':', ',', 'null', 'true', '-1', '1e999', '"nodeId"', '"seq"', '\\u0000', '\uffff', '1.5', '9007199254740993'];

function mutate(r: () => number, base: Uint8Array): Uint8Array {
  const bytes = [...base];
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (bytes.length + 1));
    switch (Math.floor(r() * 6)) {
      case 0:
        if (bytes.length) bytes[at % bytes.length] ^= 1 << Math.floor(r() * 8);
        break;
      case 1:
        bytes.splice(at, Math.floor(r() * 8));
        break;
      case 2:
        bytes.splice(at, 0, Math.floor(r() * 256));
        break;
      case 3:
        bytes.splice(at, 0, ...enc.encode(TOKENS[Math.floor(r() * TOKENS.length)]));
        break;
      case 4:
        bytes.length = Math.floor(r() * bytes.length);
        break;
      default:
        bytes.splice(at, 0, ...bytes.slice(Math.floor(r() * bytes.length), Math.floor(r() * bytes.length)));
    }
  }
  return new Uint8Array(bytes);
}

function randomBytes(r: () => number, max: number): Uint8Array {
  const b = new Uint8Array(Math.floor(r() * max));
  for (let i = 0; i < b.length; i++) b[i] = Math.floor(r() * 256);
  return b;
}

/** Runs `decode` on RUNS inputs (half mutated samples, half noise); returns how many decoded. */
function fuzz(name: string, samples: Uint8Array[], decode: (b: Uint8Array) => unknown, seed = SEED): number {
  const r = seededRandom(seed);
  let ok = 0;
  const started = performance.now();
  for (let i = 0; i < RUNS; i++) {
    const input = r() < 0.5 ? mutate(r, samples[i % samples.length]) : randomBytes(r, 300);
    try {
      decode(input);
      ok++;
    } catch (err) {
      if (!(err instanceof ShoalError)) assert.fail(`${name}: input #${i} (seed ${seed}) threw ${String(err)}: ${Buffer.from(input).toString('hex')}`);
    }
  }
  assert.ok(performance.now() - started < 60_000, `${name} too slow: a hang in the making`);
  return ok;
}

const hb = {
  nodeId: '12D3KooWRandomNodeIdentifier',
  incarnation: 1_700_000_000_000,
  seq: 42,
  sentAt: 1_700_000_000_000,
  resources: { total: { cpuMillis: 4000, memoryBytes: 8e9 }, free: { cpuMillis: 100, memoryBytes: 1e9 } },
  drivers: ['docker' as const],
  tasks: { running: 1, failed: 0, total: 2 },
  version: '0.1.0',
};

test('heartbeat decoder: 100k random and mutated inputs, only ShoalErrors', () => {
  const ok = fuzz('heartbeat', [encodeHeartbeat(hb)], decodeHeartbeat);
  assert.ok(ok > 0, 'some mutations stay valid: the fuzzer reaches the happy path');
});

test('join token decoder: 100k random and mutated inputs, only ShoalErrors', () => {
  const s = generateClusterSecrets();
  const token = encodeJoinToken({ clusterId: s.clusterId, psk: s.psk, secret: s.joinSecret, addrs: ['/ip4/127.0.0.1/tcp/7946'] });
  const samples = [enc.encode(token), enc.encode('SHOAL-1-' + Buffer.from('{"c":"x","k":"AA","s":"short","a":[1]}').toString('base64url'))];
  const dec = new TextDecoder();
  fuzz('join token', samples, (b) => decodeJoinToken(dec.decode(b)));
  // Mutating the base64 payload only (the part a copy-paste can damage).
  fuzz('join token payload', [enc.encode(token)], (b) => decodeJoinToken('SHOAL-1-' + Buffer.from(b).toString('base64url')), SEED + 1);
  assert.deepEqual(decodeJoinToken(token).psk, s.psk);
});

test('rpc envelope decoders: 100k random and mutated inputs each, only ShoalErrors', () => {
  fuzz('rpc request', [encodeRpcRequest({ method: 'join', body: { secret: 'abc', n: [1, 2] } })], decodeRpcRequest);
  fuzz(
    'rpc response',
    [encodeRpcResponse({ ok: true, body: { a: 1 } }), encodeRpcResponse({ ok: false, error: { code: 'NOT_LEADER', message: 'x' } })],
    decodeRpcResponse,
    SEED + 2,
  );
});

test('frame reader: 100k random and mutated chunk streams, only ShoalErrors, bounded', () => {
  const r = seededRandom(SEED + 3);
  const valid = encodeFrames([enc.encode('hello'), new Uint8Array(0), new Uint8Array(300).fill(1)]);
  const ok = fuzz(
    'frames',
    [valid],
    (input) => {
      const d = new FrameDecoder(1024);
      let at = 0;
      while (at < input.length) {
        const n = 1 + Math.floor(r() * 64);
        for (const f of d.push(input.subarray(at, at + n))) assert.ok(f.length <= 1024);
        at += n;
      }
    },
    SEED + 3,
  );
  assert.ok(ok > 0);
  // A frame split across every possible chunk boundary decodes identically.
  for (let cut = 0; cut <= valid.length; cut++) {
    const d = new FrameDecoder();
    const frames = [...d.push(valid.subarray(0, cut)), ...d.push(valid.subarray(cut))];
    assert.deepEqual(frames.map((f) => f.length), [5, 0, 300]);
    assert.ok(d.idle());
  }
});
