import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShoalError } from '@shoal/types';
import { decodeHeartbeat, encodeHeartbeat, MAX_HEARTBEAT_BYTES } from '../src/index.js';
import { sampleHeartbeat } from './fixtures.js';

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ShoalError, `expected ShoalError, got ${String(err)}`);
    return err.code;
  }
  assert.fail('expected a throw');
};

test('a heartbeat survives encode/decode unchanged and stays small', () => {
  const hb = sampleHeartbeat();
  const bytes = encodeHeartbeat(hb);
  assert.ok(bytes.length < 400);
  assert.deepEqual(decodeHeartbeat(bytes), hb);
});

test('unknown fields are dropped, not carried along', () => {
  const decoded = decodeHeartbeat(enc({ ...sampleHeartbeat(), extra: 'x'.repeat(100) }));
  assert.equal('extra' in decoded, false);
});

test('malformed heartbeats are refused with BAD_MESSAGE', () => {
  const cases: unknown[] = [
    null,
    [],
    'hb',
    { ...sampleHeartbeat(), nodeId: '' },
    { ...sampleHeartbeat(), nodeId: 'x'.repeat(129) },
    { ...sampleHeartbeat(), seq: -1 },
    { ...sampleHeartbeat(), seq: 1.5 },
    { ...sampleHeartbeat(), incarnation: '1' },
    { ...sampleHeartbeat(), drivers: ['podman'] },
    { ...sampleHeartbeat(), drivers: 'docker' },
    { ...sampleHeartbeat(), resources: { total: { cpuMillis: 1 } } },
    { ...sampleHeartbeat(), tasks: null },
    { ...sampleHeartbeat(), version: 7 },
  ];
  for (const c of cases) assert.equal(code(() => decodeHeartbeat(enc(c))), 'BAD_MESSAGE', JSON.stringify(c));
  assert.equal(code(() => decodeHeartbeat(new Uint8Array([0xff, 0xfe, 0x7b]))), 'BAD_MESSAGE');
  assert.equal(code(() => decodeHeartbeat(new TextEncoder().encode('{"nodeId":'))), 'BAD_MESSAGE');
});

test('oversized input is refused before parsing', () => {
  assert.equal(code(() => decodeHeartbeat(new Uint8Array(MAX_HEARTBEAT_BYTES + 1))), 'MESSAGE_TOO_LARGE');
  assert.equal(code(() => encodeHeartbeat({ ...sampleHeartbeat(), version: 'v'.repeat(65) })), 'BAD_MESSAGE');
});
