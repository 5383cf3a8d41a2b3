import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from '@shoal/state';
import type { Task } from '@shoal/types';
import {
  grantContext,
  open,
  openGrant,
  openSecretValue,
  openStoreKey,
  planRotation,
  planSecretDuties,
  sealSecretValue,
  secretContext,
  storeKeyContext,
  type DutyInput,
} from '../src/index.js';
import { Replica, keysFor, reg, seeded } from './fixtures.js';

const VALUE = 'correct horse battery staple';
const VOTERS = ['v1', 'v2', 'v3'];
const random = seeded('duties');
const keys = keysFor([...VOTERS, 'l1', 'l2'], random);

function dbTask(id: string, nodeId: string, desiredState: Task['desiredState'] = 'running'): Task {
  return {
    id,
    serviceId: 'sdb',
    serviceName: 'db',
    serviceVersion: 1,
    slot: 1,
    nodeId,
    desiredState,
    status: { state: 'assigned', timestamp: 1, message: 'assigned' },
    spec: { name: 'db', image: 'redis', secrets: [{ source: 'dbpass' }] },
    createdAt: 1,
    updatedAt: 1,
  };
}

function leaderInput(r: Replica, voters = VOTERS, self = 'v1'): DutyInput {
  return { state: r.state, selfId: self, selfPrivateKey: keys[self].privateKey, voters, now: 10, random };
}

/** A 3-voter cluster with 2 learners, a secret, and a task using it on learner l1. */
function cluster(): Replica {
  const r = new Replica();
  r.apply(Object.keys(keys).map((id): Command => ({ type: 'node.register', at: 1, node: { ...reg(id, keys[id].publicKey), role: VOTERS.includes(id) ? 'voter' : 'learner' } })));
  r.apply(planSecretDuties(leaderInput(r))); // creates the store key
  const key = r.state.storeKey()!;
  // Any node can seal a new secret: here the learner l2 does, from the public half alone.
  const data = sealSecretValue(key, 'x1', 'dbpass', Buffer.from(VALUE), random);
  r.apply([{ type: 'secret.create', at: 2, secret: { id: 'x1', name: 'dbpass', kind: 'secret', size: VALUE.length, createdAt: 2, data, keyId: key.keyId } }]);
  r.apply([{ type: 'service.create', at: 3, serviceId: 'sdb', spec: { name: 'db', image: 'redis', secrets: [{ source: 'dbpass' }] } }]);
  r.apply([{ type: 'task.create', at: 4, tasks: [dbTask('t1', 'l1')] }]);
  r.apply(planSecretDuties(leaderInput(r)));
  return r;
}

/** Every sealed blob a replica holds (log entries and snapshot), and every context it could be opened in. */
function everySealed(r: Replica): { blobs: Set<string>; contexts: string[] } {
  const blobs = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string' && v.length >= 80 && /^[A-Za-z0-9_-]+$/.test(v)) blobs.add(v);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  for (const e of r.log) walk(JSON.parse(Buffer.from(e).toString()));
  walk(JSON.parse(Buffer.from(r.state.snapshot()).toString()));
  const nodes = Object.keys(keys);
  const secrets = r.state.secretRecords();
  const keyIds = new Set<string>();
  for (const e of r.log) {
    const c = JSON.parse(Buffer.from(e).toString()) as Command;
    if (c.type === 'secretstore.key') keyIds.add(c.key.keyId);
  }
  const contexts = [
    ...secrets.map((s) => secretContext(s.id, s.name)),
    ...[...keyIds].flatMap((k) => nodes.map((n) => storeKeyContext(k, n))),
    ...secrets.flatMap((s) => nodes.map((n) => grantContext(s.id, n))),
  ];
  return { blobs, contexts };
}

function opensAny(privateKey: string, r: Replica): string[] {
  const { blobs, contexts } = everySealed(r);
  const opened: string[] = [];
  for (const b of blobs) for (const c of contexts) {
    try {
      opened.push(open(privateKey, b, c).toString());
    } catch {
      // expected: not sealed to this key in this context
    }
  }
  return opened;
}

test('the store key is shared with every voter and no learner', () => {
  const r = cluster();
  const key = r.state.storeKey()!;
  assert.deepEqual(Object.keys(key.sealed).sort(), VOTERS);
  for (const v of VOTERS) assert.equal(openSecretValue(openStoreKey(key, v, keys[v].privateKey)!, r.state.secretRecord('secret', 'dbpass')!).toString(), VALUE);
  assert.equal(openStoreKey(key, 'l1', keys.l1.privateKey), null);
});

test('the node running the task gets its own sealed copy, and only it', () => {
  const r = cluster();
  assert.deepEqual(r.state.grants().map((g) => g.nodeId), ['l1']);
  assert.equal(openGrant(keys.l1.privateKey, r.state.grant('l1', 'x1')!).toString(), VALUE);
});

test("a learner's replica alone cannot open a secret of a task it does not run", () => {
  const r = cluster();
  const { blobs } = everySealed(r);
  assert.ok(blobs.size >= 5, `expected the shares, the secret and the grant, found ${blobs.size} sealed values`);
  assert.deepEqual(opensAny(keys.l2.privateKey, r), []);
  // l1 opens exactly one thing: its own copy.
  assert.deepEqual(opensAny(keys.l1.privateKey, r), [VALUE]);
});

test('the value is in no log entry and no snapshot, in any encoding', () => {
  const r = cluster();
  const needles = [VALUE, Buffer.from(VALUE).toString('base64'), Buffer.from(VALUE).toString('base64url'), Buffer.from(VALUE).toString('hex')];
  for (const bytes of [...r.log, r.state.snapshot()]) {
    const text = Buffer.from(bytes).toString();
    for (const n of needles) assert.ok(!text.includes(n));
  }
});

test('a copy is revoked once no task of that node uses the secret, and the secret can then be removed', () => {
  const r = cluster();
  assert.equal(r.state.apply({ type: 'secret.remove', at: 5, secretId: 'x1' }, r.state.lastApplied + 1).ok, false);
  r.apply([{ type: 'task.desired', at: 5, changes: [{ taskId: 't1', desiredState: 'shutdown' }] }, { type: 'service.remove', at: 5, serviceId: 'sdb' }]);
  r.apply(planSecretDuties(leaderInput(r)));
  assert.deepEqual(r.state.grants(), []);
  r.apply([{ type: 'secret.remove', at: 6, secretId: 'x1' }]);
  assert.equal(r.state.secretRecord('secret', 'dbpass'), undefined);
});

test('removal is refused while in use, naming the services', () => {
  const r = cluster();
  const res = r.state.apply({ type: 'secret.remove', at: 5, secretId: 'x1' }, r.state.lastApplied + 1);
  assert.equal(res.ok, false);
  assert.match(!res.ok ? res.error.message : '', /in use by service\(s\) db/);
});

test('rotation re-seals every secret to a new key in one command; voters and grants keep working', () => {
  const r = cluster();
  const before = r.state.storeKey()!;
  const oldData = r.state.secretRecord('secret', 'dbpass')!.data;
  r.apply([planRotation(leaderInput(r))]);
  const after = r.state.storeKey()!;
  assert.notEqual(after.keyId, before.keyId);
  const rec = r.state.secretRecord('secret', 'dbpass')!;
  assert.notEqual(rec.data, oldData);
  assert.equal(rec.keyId, after.keyId);
  assert.equal(openSecretValue(openStoreKey(after, 'v3', keys.v3.privateKey)!, rec).toString(), VALUE);
  assert.throws(() => openSecretValue(openStoreKey(before, 'v3', keys.v3.privateKey)!, rec));
  assert.equal(openGrant(keys.l1.privateKey, r.state.grant('l1', 'x1')!).toString(), VALUE);
  assert.deepEqual(planSecretDuties(leaderInput(r)), []);
});

test('a secret sealed under a rotated key is refused (retry), never stored unreadable', () => {
  const r = cluster();
  const old = r.state.storeKey()!;
  r.apply([planRotation(leaderInput(r))]);
  const data = sealSecretValue(old, 'x2', 'late', Buffer.from('v'), random);
  const res = r.state.apply({ type: 'secret.create', at: 9, secret: { id: 'x2', name: 'late', kind: 'secret', size: 1, createdAt: 9, data, keyId: old.keyId } }, r.state.lastApplied + 1);
  assert.equal(res.ok, false);
});

test('a promoted learner receives the store key, a demoted voter loses its share', () => {
  const r = cluster();
  const voters = ['v1', 'v2', 'l2'];
  r.apply(planSecretDuties(leaderInput(r, voters)));
  const key = r.state.storeKey()!;
  assert.deepEqual(Object.keys(key.sealed).sort(), ['l2', 'v1', 'v2']);
  assert.ok(openStoreKey(key, 'l2', keys.l2.privateKey));
  assert.deepEqual(planSecretDuties(leaderInput(r, voters)), []);
});

test('a leader without a share plans nothing (it cannot open the store)', () => {
  const r = cluster();
  assert.deepEqual(planSecretDuties({ ...leaderInput(r), selfId: 'l2', selfPrivateKey: keys.l2.privateKey }), []);
});
