import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message, PeerId } from '@libp2p/interface';
import { TopicValidatorResult } from '@libp2p/interface';
import { encodeHeartbeat, type Heartbeat } from '@shoal/membership';
import { HeartbeatTopic } from '../src/heartbeat-topic.js';

const members = new Set(['A', 'B']);
const hb = (nodeId: string, seq: number, incarnation = 1): Heartbeat => ({
  nodeId,
  incarnation,
  seq,
  sentAt: 0,
  resources: { total: { cpuMillis: 1, memoryBytes: 1 }, free: { cpuMillis: 1, memoryBytes: 1 } },
  drivers: [],
  tasks: { running: 0, failed: 0, total: 0 },
  version: '',
});
const msg = (signer: string, data: Uint8Array, type: 'signed' | 'unsigned' = 'signed') =>
  ({ type, from: { toString: () => signer }, topic: 'shoal/heartbeat/1', data }) as unknown as Message;
const src = {} as PeerId;

test('the validator accepts fresh heartbeats signed by the node they speak for', () => {
  let now = 0;
  const t = new HeartbeatTopic((p) => members.has(p), () => now);
  const m = msg('A', encodeHeartbeat(hb('A', 1)));
  assert.equal(t.validate(src, m), TopicValidatorResult.Accept);
  assert.equal(t.heartbeatOf(m)?.seq, 1);
  now += 500;
  assert.equal(t.validate(src, msg('A', encodeHeartbeat(hb('A', 2)))), TopicValidatorResult.Accept);
  assert.equal(t.validate(src, msg('A', encodeHeartbeat(hb('A', 1, 2)))), TopicValidatorResult.Accept, 'a new incarnation restarts seq');
  assert.equal(t.stats.accepted, 3);
});

test('the validator rejects forgeries, junk, outsiders and replays, and counts each', () => {
  const t = new HeartbeatTopic((p) => members.has(p), () => 0);
  const R = TopicValidatorResult;
  assert.equal(t.validate(src, msg('A', encodeHeartbeat(hb('B', 1)))), R.Reject, 'A signs a heartbeat for B');
  assert.equal(t.validate(src, msg('C', encodeHeartbeat(hb('C', 1)))), R.Reject, 'not a member');
  assert.equal(t.validate(src, msg('A', new TextEncoder().encode('{"nodeId":"A"}'))), R.Reject);
  assert.equal(t.validate(src, msg('A', new Uint8Array(5000))), R.Reject);
  assert.equal(t.validate(src, msg('A', encodeHeartbeat(hb('A', 1)), 'unsigned')), R.Reject);
  assert.equal(t.validate(src, msg('A', encodeHeartbeat(hb('A', 5)))), R.Accept);
  assert.equal(t.validate(src, msg('A', encodeHeartbeat(hb('A', 5)))), R.Ignore, 'replay');
  assert.equal(t.validate(src, msg('A', encodeHeartbeat(hb('A', 3)))), R.Ignore, 'older');
  assert.deepEqual(t.stats.rejected, { unsigned: 1, oversized: 1, notMember: 1, malformed: 1, wrongSigner: 1, replayed: 2, rateLimited: 0 });
});

test('a node flooding heartbeats is rate limited', () => {
  const t = new HeartbeatTopic((p) => members.has(p), () => 0);
  let accepted = 0;
  for (let i = 1; i <= 100; i++) if (t.validate(src, msg('B', encodeHeartbeat(hb('B', i)))) === TopicValidatorResult.Accept) accepted++;
  assert.ok(accepted <= 20, `accepted ${accepted}`);
  assert.ok(t.stats.rejected.rateLimited >= 80);
});
