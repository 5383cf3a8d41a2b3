import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterState, decodeCommand, encodeCommand, type Command } from '../src/index.js';

const hash = (c: string) => c.repeat(64);

test('API tokens: created by hash under a unique name, found by hash, revoked by name or id', () => {
  const s = new ClusterState();
  const r1 = s.apply({ type: 'apitoken.create', at: 1, by: 'init', tokenId: 't1', name: 'ci', role: 'operator', hash: hash('a') }, 1);
  assert.equal(r1.ok, true);
  assert.equal(s.apiTokenByHash(hash('a'))?.role, 'operator');
  assert.equal(s.apiTokenByHash(hash('a'))?.createdBy, 'init');
  const dup = s.apply({ type: 'apitoken.create', at: 2, tokenId: 't2', name: 'ci', role: 'admin', hash: hash('b') }, 2);
  assert.equal(!dup.ok && dup.error.code, 'CONFLICT');
  assert.equal(s.apply({ type: 'apitoken.revoke', at: 3, tokenId: 'ci' }, 3).ok, true);
  assert.equal(s.apiTokenByHash(hash('a')), undefined);
  const gone = s.apply({ type: 'apitoken.revoke', at: 4, tokenId: 't1' }, 4);
  assert.equal(!gone.ok && gone.error.code, 'NOT_FOUND');
});

test('tokens and the audit trail survive a snapshot', () => {
  const s = new ClusterState();
  s.apply({ type: 'apitoken.create', at: 1, by: 'init', tokenId: 't1', name: 'ui', role: 'read-only', hash: hash('c') }, 1);
  s.apply({ type: 'service.create', at: 2, by: 'ci', serviceId: 's1', spec: { name: 'web', image: 'nginx' } }, 2);
  s.apply({ type: 'service.scale', at: 3, by: 'ci', serviceId: 'nope', replicas: 2 }, 3);
  s.apply({ type: 'service.scale', at: 4, serviceId: 's1', replicas: 2 }, 4); // the cluster's own work is not audited
  const r = ClusterState.restore(s.snapshot());
  assert.equal(r.apiTokenByHash(hash('c'))?.name, 'ui');
  assert.deepEqual(
    r.audit().map((e) => [e.index, e.by, e.type, e.subject, e.ok]),
    [
      [1, 'init', 'apitoken.create', 'ui', true],
      [2, 'ci', 'service.create', 'web', true],
      [3, 'ci', 'service.scale', 'nope', false],
    ],
  );
  assert.match(r.audit()[2].error!, /not found/);
});

test('token commands from a peer are checked: role, name, hash shape', () => {
  const bad: unknown[] = [
    { type: 'apitoken.create', at: 1, tokenId: 't', name: 'x', role: 'root', hash: hash('a') },
    { type: 'apitoken.create', at: 1, tokenId: 't', name: 'X Y', role: 'admin', hash: hash('a') },
    { type: 'apitoken.create', at: 1, tokenId: 't', name: 'x', role: 'admin', hash: 'plain-token' },
    { type: 'service.remove', at: 1, serviceId: 's', by: 42 },
  ];
  for (const b of bad) assert.throws(() => decodeCommand(new TextEncoder().encode(JSON.stringify(b))), { code: 'BAD_MESSAGE' }, JSON.stringify(b));
  const good: Command = { type: 'apitoken.create', at: 1, by: 'init', tokenId: 't', name: 'x', role: 'admin', hash: hash('a') };
  assert.deepEqual(decodeCommand(encodeCommand(good)), good);
});
