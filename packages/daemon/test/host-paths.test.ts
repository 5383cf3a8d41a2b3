// The node's bind-source report: what it proposes, when, and that the replica keeps it for the scheduler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ClusterState, decodeCommand, encodeCommand, type Command } from '@shoal/state';
import { nodeRegistration } from '@shoal/testkit';
import { HostPathReporter, wantedHostPaths } from '../src/host-paths.js';

function cluster() {
  const state = new ClusterState();
  const proposed: Command[] = [];
  const apply = (cmd: Command) => {
    const r = state.apply(decodeCommand(encodeCommand(cmd)), state.lastApplied + 1);
    assert.ok(r.ok, JSON.stringify(r));
    return r;
  };
  apply({ type: 'node.register', at: 1, node: nodeRegistration('n1') });
  const host = {
    state,
    selfId: 'n1',
    log: pino({ level: 'silent' }),
    propose: async (cmd: Command) => {
      proposed.push(cmd);
      return { result: apply(cmd) };
    },
  };
  return { state, proposed, apply, host };
}

const bind = (source: string, target: string) => ({ type: 'bind' as const, source, target });

test('the node reports which bind sources of Docker services it has, only when the answer changes', async () => {
  const { state, proposed, apply, host } = cluster();
  const present = new Set(['/srv/conf']);
  const reporter = new HostPathReporter(host, (p) => present.has(p));
  reporter.check();
  assert.equal(proposed.length, 0, 'nothing wanted, nothing to say');

  apply({ type: 'service.create', at: 2, serviceId: 's1', spec: { name: 'web', image: 'x', mounts: [bind('/srv/conf', '/conf'), bind('/srv/data', '/data'), { type: 'volume', source: 'v', target: '/v' }] } });
  apply({ type: 'service.create', at: 3, serviceId: 's2', spec: { name: 'job', driver: 'exec', command: ['true'], mounts: [bind('/exec/only', '/x')] } });
  assert.deepEqual(wantedHostPaths(state), ['/srv/conf', '/srv/data']);
  reporter.check();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(proposed.map((c) => c.type === 'node.update' && c.hostPaths), [['/srv/conf']]);
  assert.deepEqual(state.node('n1')?.hostPaths, ['/srv/conf']);

  reporter.check();
  await new Promise((r) => setImmediate(r));
  assert.equal(proposed.length, 1, 'an unchanged answer is not proposed again');

  present.add('/srv/data'); // the operator created it: the next check reports it
  reporter.check();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(state.node('n1')?.hostPaths, ['/srv/conf', '/srv/data']);
});

test('a re-registration (agent restart) keeps the last report; a malformed report is refused by the codec', () => {
  const { state, apply } = cluster();
  apply({ type: 'node.update', at: 2, nodeId: 'n1', hostPaths: ['/a'] });
  apply({ type: 'node.register', at: 3, node: nodeRegistration('n1') });
  assert.deepEqual(state.node('n1')?.hostPaths, ['/a']);
  assert.throws(() => decodeCommand(encodeCommand({ type: 'node.update', at: 4, nodeId: 'n1', hostPaths: [7 as unknown as string] })), /hostPaths\[0\]/);
});
