import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, nodeInfo, nodeRegistration, seededRandom, taskFixture, waitFor } from '../src/index.js';

test('seededRandom replays the same sequence from the same seed, and another from another seed', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const c = seededRandom(43);
  const xs = Array.from({ length: 5 }, () => a());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b()));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, () => c()));
  for (const x of xs) assert.ok(x >= 0 && x < 1);
});

test('seededRandom is mulberry32: the values the converted tests were written against', () => {
  const r = seededRandom(1);
  assert.equal(r(), 0.6270739405881613);
});

test('waitFor resolves with the first truthy value and retries a probe that throws', async () => {
  let calls = 0;
  const v = await waitFor('the third call', () => {
    calls++;
    if (calls === 1) throw new Error('not up yet');
    return calls === 3 ? 'up' : undefined;
  }, { everyMs: 1 });
  assert.equal(v, 'up');
  assert.equal(calls, 3);
});

test('waitFor times out naming what it waited for and the last error', async () => {
  await assert.rejects(
    waitFor('a node that never answers', () => {
      throw new Error('ECONNREFUSED');
    }, { timeoutMs: 30, everyMs: 5 }),
    /timed out after 30 ms waiting for a node that never answers \(last error: ECONNREFUSED\)/,
  );
});

test('freePort gives a port a server can listen on', async () => {
  const port = await freePort();
  assert.ok(port > 0 && port < 65536);
});

test('freePort never hands out a port twice while this process lives, and records it as reserved by this process', async () => {
  const ports = await Promise.all(Array.from({ length: 40 }, () => freePort()));
  assert.equal(new Set(ports).size, ports.length);
  for (const p of ports) assert.equal(readFileSync(join(tmpdir(), 'shoal-test-ports', String(p)), 'utf8'), String(process.pid));
});

test('fixtures: defaults a test does not care about, overrides it does', () => {
  assert.equal(nodeRegistration('n1').name, 'n1');
  assert.deepEqual(nodeRegistration('n1', { labels: { zone: 'a' } }).labels, { zone: 'a' });
  const n = nodeInfo('n2', { status: 'down' });
  assert.equal(n.status, 'down');
  assert.equal(n.availability, 'active');
  const t = taskFixture('t1', { name: 'web', image: 'nginx' }, 2, { nodeId: 'n1' });
  assert.equal(t.serviceName, 'web');
  assert.equal(t.slot, 2);
  assert.equal(t.nodeId, 'n1');
});
