/** The leader's write gate on its own: what a forwarded body may carry, and what is counted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ClusterState, type Command } from '@shoal/state';
import { WriteGate, hashToken } from '../src/write-gate.js';
import { nodeRegistration } from '@shoal/testkit';

const reg = (id: string, name: string) => nodeRegistration(id, { name });

function setup() {
  const state = new ClusterState();
  let i = 0;
  const apply = (c: Command) => assert.equal(state.apply(c, ++i).ok, true, c.type);
  apply({ type: 'node.register', at: 1, node: reg('voter1', 'one') });
  apply({ type: 'node.register', at: 1, node: reg('learner1', 'two') });
  apply({ type: 'nodetoken.set', at: 1, nodeId: 'voter1', hash: hashToken('voter-token-0123456789') });
  apply({ type: 'nodetoken.set', at: 1, nodeId: 'learner1', hash: hashToken('learner-token-0123456789') });
  apply({ type: 'apitoken.create', at: 1, tokenId: 'k1', name: 'ci', role: 'operator', hash: hashToken('shoal_ci') });
  const refused: Record<string, number> = {};
  const gate = new WriteGate({ state, voters: () => ['voter1'], log: pino({ level: 'silent' }), onRefused: (r, n) => (refused[r] = (refused[r] ?? 0) + n) });
  return { state, gate, refused };
}

const scale: Command = { type: 'service.scale', at: 1, serviceId: 'web', replicas: 2 };

test('an operator token forwarded with a write is resolved on the leader; `by` is the verified name', () => {
  const { gate } = setup();
  assert.equal(gate.admitForwarded('learner1', { command: { ...scale, by: 'admin' }, credential: 'shoal_ci' }).by, 'ci');
  assert.equal(gate.admitForwarded('learner1', { command: scale, credential: 'voter-token-0123456789' }).by, 'node:one');
});

test('no credential, an unknown one, or a learner\'s own token: refused and counted by reason', () => {
  const { gate, refused } = setup();
  assert.throws(() => gate.admitForwarded('learner1', scale), { code: 'UNAUTHORIZED' });
  assert.throws(() => gate.admitForwarded('learner1', { command: scale, credential: 'guess' }), { code: 'UNAUTHORIZED' });
  assert.throws(() => gate.admitForwarded('learner1', { command: scale, credential: 'learner-token-0123456789' }), { code: 'FORBIDDEN', message: /learner/ });
  assert.deepEqual(refused, { needs_credential: 1, bad_credential: 2 });
});

test('malformed bodies are BAD_MESSAGE, never a crash', () => {
  const { gate } = setup();
  for (const body of [null, 42, { command: scale, credential: 7 }, { command: scale, credential: '' }, { command: scale, credential: 'x'.repeat(600) }, { command: { type: 'nope', at: 1 } }]) {
    assert.throws(() => gate.admitForwarded('learner1', body), { code: 'BAD_MESSAGE' }, JSON.stringify(body));
  }
});

test('the API\'s input checks run on the leader: a dangerous spec with a valid token is refused with the fix named', () => {
  const { gate, refused } = setup();
  const cmd: Command = { type: 'service.create', at: 1, serviceId: 's1', spec: { name: 'root', driver: 'exec', command: ['id'], privileged: true } };
  assert.throws(() => gate.admitForwarded('voter1', { command: cmd, credential: 'shoal_ci' }), { code: 'DANGEROUS_SPEC', message: /shoal cluster update --allow-dangerous/ });
  assert.equal(refused.invalid_input, 1);
  // The leader's own API callers go through the same rules.
  assert.throws(() => gate.admitLocal('voter1', { type: 'cluster.config', at: 1, config: { allowDangerous: true } }, { name: 'ci', role: 'operator', token: 'shoal_ci' }), { code: 'FORBIDDEN' });
});
