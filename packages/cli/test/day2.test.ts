import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Task } from '@shoal/types';
import { startServer, cli } from './helpers.js';
import { withRecentFailures } from '../src/commands/recent-failures.js';
import { parseSince, formatLogLine } from '../src/commands/log-lines.js';

const server = await startServer();
after(() => server.app.close());
const { env, backend } = server;

test('node update adds and removes labels at runtime', async () => {
  const res = await cli(['node', 'update', 'node-1', '--label-add', 'gpu=yes', '--label-add', 'rack=7', '--label-rm', 'zone'], env);
  assert.equal(res.code, 0, res.err);
  assert.equal(res.out, 'node-1 active gpu=yes,rack=7');
  assert.deepEqual(backend.nodes[0]!.labels, { gpu: 'yes', rack: '7' });
});

test('node update with nothing to change, or a bad label, is refused clearly', async () => {
  const none = await cli(['node', 'update', 'node-1'], env);
  assert.equal(none.code, 1);
  assert.match(none.err, /nothing to update: give --label-add k=v, --label-rm k or --availability/);
  const bare = await cli(['node', 'update', 'node-2', '--label-add', 'edge'], env);
  assert.equal(bare.code, 1);
  assert.match(bare.err, /use edge=VALUE/);
  const badKey = await cli(['node', 'update', 'node-1', '--label-add', 'bad key=1'], env);
  assert.equal(badKey.code, 1);
  assert.match(badKey.err, /label key "bad key" is not valid/);
});

test('task inspect, stop and explain work on a unique id prefix', async () => {
  assert.equal((await cli(['service', 'create', 'web', '--image', 'nginx:1', '--replicas', '2', '--detach'], env)).code, 0);
  const [first] = backend.tasks.filter((t) => t.serviceName === 'web' && t.desiredState === 'running');
  const inspected = await cli(['task', 'inspect', first!.id, '--json'], env);
  assert.equal(inspected.code, 0, inspected.err);
  assert.equal(JSON.parse(inspected.out)[0].id, first!.id);
  const stopped = await cli(['task', 'stop', first!.id], env);
  assert.equal(stopped.code, 0, stopped.err);
  assert.equal(stopped.out, `web.${first!.slot} (${first!.id}) told to stop`);
  assert.equal(backend.tasks.find((t) => t.id === first!.id)!.desiredState, 'shutdown');
  const again = await cli(['task', 'stop', first!.id], env);
  assert.equal(again.code, 1);
  assert.match(again.err, /already told to stop/);
  const missing = await cli(['task', 'inspect', 'nosuchtask'], env);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /no task nosuchtask/);
});

const t = (id: string, slot: number, desiredState: Task['desiredState'], state: Task['status']['state'], ts: number): Task => ({
  id,
  serviceId: 's1',
  serviceName: 'web',
  serviceVersion: 1,
  slot,
  desiredState,
  status: { state, timestamp: ts, message: state },
  spec: { name: 'web', image: 'x' },
  createdAt: ts,
  updatedAt: ts,
});

test('service ps shows live tasks and only the latest failure of each slot by default', () => {
  const tasks = [
    t('a', 1, 'running', 'running', 5),
    t('b', 1, 'shutdown', 'failed', 3),
    t('c', 1, 'shutdown', 'failed', 4),
    t('d', 2, 'shutdown', 'complete', 2),
    t('e', 2, 'running', 'starting', 6),
    t('f', 3, 'shutdown', 'shutdown', 1),
  ];
  assert.deepEqual(withRecentFailures(tasks).map((x) => x.id), ['a', 'c', 'e']);
});

test('--since takes RFC 3339 times and durations; --timestamps prefixes lines', () => {
  assert.equal(parseSince('10m', 1_000_000), 400_000);
  assert.equal(parseSince('2026-11-30T10:00:00Z', 0), Date.parse('2026-11-30T10:00:00Z'));
  assert.throws(() => parseSince('2026-13-45Tnope', 0), /is not a time/);
  const line = { task: 'abcdef0123456789', slot: 2, node: 'n1', stream: 'stdout' as const, line: 'hi', ts: Date.parse('2026-11-30T10:00:00Z') };
  assert.equal(formatLogLine('web', line, { timestamps: true }), '2026-11-30T10:00:00.000Z web.2@n1 | hi');
  assert.equal(formatLogLine('web', line, {}), 'web.2@n1 | hi');
});
