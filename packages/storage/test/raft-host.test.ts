import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { NotLeaderError, isShoalError } from '@shoal/types';
import type { Message } from '@shoal/raft';
import { Level } from 'level';
import { LevelRaftStorage, type KvOp, type KvStore } from '../src/index.js';
import { Prefix } from '../src/keys.js';
import { TestCluster, cmd, type ClusterOptions } from './cluster.js';
import { waitFor } from '@shoal/testkit';

async function cluster(t: TestContext, opts: ClusterOptions = {}): Promise<TestCluster> {
  const c = new TestCluster(t, opts);
  t.after(() => c.stop());
  await c.start();
  return c;
}

test('three hosts elect one leader and every replica applies the same commands', async (t) => {
  const c = await cluster(t);
  const leader = await c.leader();
  const results = await Promise.all([leader.host.propose(cmd('a=1')), leader.host.propose(cmd('b=1')), leader.host.propose(cmd('a=2'))]);
  assert.deepEqual(results, [1, 1, 2], 'proposals resolve with the FSM results, in log order');
  await c.allApplied(leader.host.status().applied);
  for (const m of c.members.values()) assert.equal(m.fsm.dump(), JSON.stringify([['a', '2'], ['b', '1']]), `replica ${m.id}`);
  assert.equal(new Set([...c.members.values()].map((m) => m.host.status().leader)).size, 1, 'all agree on the leader');
});

test('a follower refuses proposals at once with the leader as hint', async (t) => {
  const c = await cluster(t);
  const leader = await c.leader();
  const follower = c.followers(leader)[0];
  await waitFor('follower to learn the leader', () => follower.host.status().leader === leader.id);
  await assert.rejects(follower.host.propose(cmd('x=1')), (err) => {
    assert.ok(err instanceof NotLeaderError);
    assert.equal(err.leaderHint, leader.id);
    return true;
  });
});

test('an FSM error rejects only that proposal', async (t) => {
  const c = await cluster(t);
  const leader = await c.leader();
  await assert.rejects(leader.host.propose(cmd('no-equals-sign')), /bad command/);
  assert.equal(await leader.host.propose(cmd('k=v')), 1);
});

test('a restarted host recovers the same FSM state from its data dir', async (t) => {
  const c = await cluster(t);
  const leader = await c.leader();
  for (let i = 0; i < 30; i++) await leader.host.propose(cmd(`k${i % 7}=${i}`));
  const follower = c.followers(leader)[0];
  await c.allApplied(leader.host.status().applied);
  const before = follower.fsm.dump();
  await c.stopMember(follower.id);
  const again = await c.startMember(follower.id);
  await waitFor('restarted FSM to match', () => again.fsm.dump() === before);
  // And it keeps replicating.
  const now = await c.leader();
  await now.host.propose(cmd('after=restart'));
  await waitFor('restarted member to apply new entries', () => again.fsm.data.get('after') === 'restart');
});

test('the whole cluster restarts with its state intact', async (t) => {
  const c = await cluster(t);
  const leader = await c.leader();
  for (let i = 0; i < 20; i++) await leader.host.propose(cmd(`k${i}=${i}`));
  await c.allApplied(leader.host.status().applied);
  const before = leader.fsm.dump();
  await c.stop();
  await c.start();
  const next = await c.leader();
  await next.host.readBarrier();
  assert.equal(next.fsm.dump(), before);
});

test('snapshots compact the log and a restart recovers from snapshot plus tail', async (t) => {
  const c = await cluster(t, { snapshotEvery: 10 });
  const leader = await c.leader();
  for (let i = 0; i < 35; i++) await leader.host.propose(cmd(`k${i % 5}=${i}`));
  await c.allApplied(leader.host.status().applied);
  const before = leader.fsm.dump();
  const id = leader.id;
  await c.stopMember(id);
  // The store now holds a snapshot and only the entries after it.
  const store = await LevelRaftStorage.open(leader.dir);
  const state = await store.load();
  await store.close();
  assert.ok(state.snapshot !== null && state.applied >= 30, `snapshot at ${state.applied}`);
  assert.ok(state.entries.length < 10 + 5, `only the tail is kept (${state.entries.length} entries)`);
  assert.equal(state.entries[0]?.index ?? state.applied + 1, state.applied + 1);
  const again = await c.startMember(id);
  assert.equal(again.fsm.restores, 1, 'restored from its own snapshot');
  await waitFor('FSM rebuilt from snapshot + tail', () => again.fsm.dump() === before);
});

test('under a stream of writes the log on disk stays bounded: compacted entries are deleted, not only skipped', async (t) => {
  const every = 20;
  const c = await cluster(t, { snapshotEvery: every });
  const leader = await c.leader();
  for (let i = 0; i < 300; i++) await leader.host.propose(cmd(`k${i % 7}=${i}`));
  await c.allApplied(leader.host.status().applied);
  for (const id of [...c.members.keys()]) {
    const dir = c.member(id).dir;
    await c.stopMember(id);
    // Count the entry records LevelDB still holds (prefix 'e'), below the snapshot or not.
    const db = new Level<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    let entries = 0;
    for await (const _ of db.keys({ gte: Buffer.from([Prefix.entry]), lt: Buffer.from([Prefix.entry + 1]) })) entries++;
    await db.close();
    assert.ok(entries <= 2 * every, `${id}: ${entries} entry records after 300 writes, snapshot every ${every}`);
  }
});

test('a follower that lagged behind a compaction catches up by snapshot', async (t) => {
  const c = await cluster(t, { snapshotEvery: 10 });
  const leader = await c.leader();
  const lagging = c.followers(leader)[0];
  c.net.isolate(lagging.id);
  for (let i = 0; i < 40; i++) await leader.host.propose(cmd(`k${i % 6}=${i}`));
  assert.equal(lagging.fsm.data.size, 0, 'isolated follower saw nothing');
  c.net.heal(lagging.id);
  await waitFor('lagging follower to catch up', () => lagging.fsm.dump() === leader.fsm.dump());
  assert.ok(lagging.fsm.restores >= 1, 'caught up through a snapshot, not the (compacted) log');
  // The snapshot replaced its log on disk: it restarts into the same state.
  const before = lagging.fsm.dump();
  await c.stopMember(lagging.id);
  const again = await c.startMember(lagging.id);
  await waitFor('restart after snapshot install', () => again.fsm.dump() === before);
});

test('readBarrier on a follower waits until it has applied what the leader committed', async (t) => {
  const c = await cluster(t);
  const leader = await c.leader();
  const follower = c.followers(leader)[0];
  await waitFor('follower to learn the leader', () => follower.host.status().leader === leader.id);
  for (let i = 0; i < 10; i++) await leader.host.propose(cmd(`r=${i}`));
  await follower.host.readBarrier();
  assert.equal(follower.fsm.data.get('r'), '9');
});

test('leadership can be transferred', async (t) => {
  const c = await cluster(t);
  const leader = await c.leader();
  const target = c.followers(leader)[0];
  await leader.host.propose(cmd('t=1'));
  await c.allApplied(leader.host.status().applied);
  const seen: string[] = [];
  target.host.onLeaderChange((l) => seen.push(String(l)));
  await leader.host.transferLeadership(target.id);
  await waitFor('target to lead', () => target.host.status().role === 'leader');
  assert.equal(await target.host.propose(cmd('t=2')), 2);
});

test('a proposal on an isolated leader times out instead of hanging', async (t) => {
  const c = await cluster(t);
  const leader = await c.leader();
  c.net.isolate(leader.id);
  await assert.rejects(leader.host.propose(cmd('lost=1'), { timeoutMs: 300 }), (err) => isShoalError(err) && (err.code === 'TIMEOUT' || err.code === 'NOT_LEADER'));
});

test('a disk write failure stops the host and fails proposals instead of acking them', async (t) => {
  const fullDisks = new Set<string>();
  const diskOf = (id: string) => (kv: KvStore): KvStore => ({
    get: (k) => kv.get(k),
    range: (a, b) => kv.range(a, b),
    batch: (ops: KvOp[], o) => (fullDisks.has(id) ? Promise.reject(new Error('IO error: No space left on device')) : kv.batch(ops, o)),
    clear: (a, b) => kv.clear(a, b),
    close: () => kv.close(),
  });
  const c = await cluster(t, { storeOptions: (id) => ({ wrapKv: diskOf(id) }) });
  const leader = await c.leader();
  await leader.host.propose(cmd('ok=1'));
  const fatal: string[] = [];
  leader.host.onFatal((e) => fatal.push(e.message));
  fullDisks.add(leader.id);
  await assert.rejects(leader.host.propose(cmd('doomed=1')), /No space left on device/);
  assert.equal(fatal.length, 1);
  await assert.rejects(leader.host.propose(cmd('later=1')), /No space left on device/);
  // The others never saw the entry acked; they elect a new leader and go on.
  const survivors = c.followers(leader);
  await waitFor('a new leader among the survivors', () => survivors.some((m) => m.host.status().role === 'leader'));
  const next = survivors.find((m) => m.host.status().role === 'leader')!;
  assert.equal(await next.host.propose(cmd('ok=2')), 2);
});

test('with leader writes in parallel, replication, leader loss and restart keep every replica equal', async (t) => {
  const c = await cluster(t, { leaderWritesInParallel: true, snapshotEvery: 25 });
  const first = await c.leader();
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => first.host.propose(cmd(`p${i % 4}=${i}`))));
  assert.deepEqual(results, Array.from({ length: 40 }, (_, i) => Math.floor(i / 4) + 1));
  await c.stopMember(first.id);
  const second = await c.leader();
  await second.host.propose(cmd('p0=after'));
  await c.startMember(first.id);
  await c.allApplied(second.host.status().applied);
  const states = new Set([...c.members.values()].map((m) => m.fsm.dump()));
  assert.equal(states.size, 1, 'all replicas equal');
  assert.equal(c.member(first.id).fsm.data.get('p0'), 'after');
});

test('every write that carries log entries is synced before its messages leave', async (t) => {
  const unsynced: string[] = [];
  const syncedBatches = { count: 0 };
  const watch = (id: string) => (kv: KvStore): KvStore => ({
    get: (k) => kv.get(k),
    range: (a, b) => kv.range(a, b),
    batch: (ops: KvOp[], o) => {
      const carriesEntries = ops.some((op) => op.type === 'put' && op.key[0] === 0x65);
      if (carriesEntries && !o.sync) unsynced.push(id);
      if (carriesEntries && o.sync) syncedBatches.count++;
      return kv.batch(ops, o);
    },
    clear: (a, b) => kv.clear(a, b),
    close: () => kv.close(),
  });
  const c = await cluster(t, { storeOptions: (id) => ({ wrapKv: watch(id) }) });
  const leader = await c.leader();
  await Promise.all(Array.from({ length: 50 }, (_, i) => leader.host.propose(cmd(`s=${i}`))));
  await c.allApplied(leader.host.status().applied);
  assert.deepEqual(unsynced, []);
  // 50 concurrent proposals share batches: far fewer synced writes than entries on 3 replicas.
  assert.ok(syncedBatches.count < 3 * 50, `${syncedBatches.count} synced batches for 150 entry copies`);
});

test('read contexts are unique across restarts, so a late reply to the previous process cannot answer a new read', async (t) => {
  const c = await cluster(t);
  const leader = await c.leader();
  const id = c.followers(leader)[0].id;
  const contexts: string[] = [];
  const net = c.net as unknown as { send(from: string, msgs: Message[]): void };
  const send = net.send.bind(c.net);
  net.send = (from, msgs) => {
    for (const m of msgs) if (m.type === 'readIndex' && m.context !== undefined) contexts.push(m.context);
    send(from, msgs);
  };
  for (let round = 0; round < 2; round++) {
    const f = round === 0 ? c.member(id) : await c.startMember(id);
    await waitFor('follower to learn the leader', () => f.host.status().leader === leader.id);
    // A leadership blip on a loaded machine answers NotLeader: retry; every attempt's context counts below.
    await waitFor('a read barrier on the follower', async () => {
      await f.host.readBarrier();
      return true;
    }, { timeoutMs: 30_000 });
    await c.stopMember(id);
  }
  assert.ok(contexts.length >= 2);
  assert.equal(new Set(contexts).size, contexts.length, `every read context is unique: ${contexts.join(', ')}`);
});
