import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RaftError } from '../src/errors.js';
import { RaftNode } from '../src/node.js';
import type { Entry, Message, Snapshot } from '../src/types.js';
import { Cluster, enc } from './harness.js';

const VOTERS = ['a', 'b', 'c'];

function lagging(seed = 3): { c: Cluster; leader: string; lag: string } {
  const c = new Cluster(VOTERS, { seed });
  const leader = c.elect();
  c.tick(2);
  const lag = VOTERS.find((x) => x !== leader)!;
  c.isolate(lag);
  for (let i = 0; i < 20; i++) c.propose(leader, `v${i}`);
  c.tick(1);
  c.compact(leader);
  return { c, leader, lag };
}

describe('snapshots', () => {
  it('a follower that needs compacted entries gets the snapshot, restores and catches up', () => {
    const { c, leader, lag } = lagging();
    c.heal();
    c.tick(5);
    const snaps = c.sent.filter((m) => m.type === 'snapshot' && m.to === lag);
    assert.equal(snaps.length, 1);
    assert.deepEqual(c.applied.get(lag), c.applied.get(leader));
    assert.equal(c.disks.get(lag)!.snapshot!.meta.index, snaps[0]!.snapshot!.meta.index);
    // And it keeps replicating normally afterwards.
    c.propose(leader, 'after');
    c.tick(2);
    assert.deepEqual(c.applied.get(lag), c.applied.get(leader));
    assert.equal(c.node(leader).status().progress![lag]!.state, 'replicate');
  });

  it('a lost snapshot is sent again after an election timeout', () => {
    const { c, leader, lag } = lagging();
    let dropped = 0;
    c.dropIf = (m) => m.type === 'snapshot' && dropped++ === 0;
    c.heal();
    c.tick(30);
    assert.equal(dropped, 2);
    assert.deepEqual(c.applied.get(lag), c.applied.get(leader));
  });

  it('compacting beyond what is applied is refused', () => {
    const c = new Cluster(['a']);
    c.elect();
    c.stabilize();
    const st = c.node('a').status();
    assert.throws(() => c.node('a').compact(st.applied + 1, enc('x')), (e: unknown) => e instanceof RaftError && e.code === 'COMPACTION');
  });

  it('a node restarts from its snapshot and the entries after it', () => {
    const c = new Cluster(VOTERS, { seed: 8 });
    const leader = c.elect();
    c.tick(2);
    for (let i = 0; i < 10; i++) c.propose(leader, `v${i}`);
    c.tick(1);
    const f = VOTERS.find((x) => x !== leader)!;
    c.compact(f);
    for (let i = 10; i < 15; i++) c.propose(leader, `v${i}`);
    c.tick(1);
    const before = c.node(f).status();
    c.restart(f, { voters: VOTERS, learners: [] });
    const after = c.node(f).status();
    assert.equal(after.lastIndex, before.lastIndex);
    assert.equal(after.term, before.term);
    c.tick(3);
    assert.deepEqual(c.applied.get(f), c.applied.get(leader));
  });

  it('ignores a snapshot older than its commit index and answers with its commit', () => {
    const c = new Cluster(VOTERS, { seed: 8 });
    const leader = c.elect();
    c.tick(2);
    for (let i = 0; i < 5; i++) c.propose(leader, `v${i}`);
    c.tick(1);
    const f = VOTERS.find((x) => x !== leader)!;
    const n = c.node(f);
    const st = n.status();
    const old: Snapshot = { meta: { index: 2, term: st.term, conf: { voters: VOTERS, learners: [] } }, data: enc('[]') };
    n.step({ type: 'snapshot', from: leader, to: f, term: st.term, snapshot: old });
    const rd = n.ready();
    assert.equal(rd.snapshot, undefined);
    assert.deepEqual(rd.messages.map((m: Message) => [m.type, m.index]), [['appendResp', st.commit]]);
    n.advance(rd);
  });

  it('a snapshot whose last entry the follower already has only advances its commit', () => {
    const entries: Entry[] = [1, 2, 3, 4].map((i) => ({ index: i, term: 1, type: 'normal', data: new Uint8Array() }));
    const n = new RaftNode({
      id: 'b', electionTick: 10, heartbeatTick: 1, random: () => 0,
      persisted: { hardState: { term: 1, vote: null, commit: 1 }, snapshot: null, entries, conf: { voters: VOTERS, learners: [] } },
    });
    n.step({ type: 'snapshot', from: 'a', to: 'b', term: 1, snapshot: { meta: { index: 3, term: 1, conf: { voters: VOTERS, learners: [] } }, data: enc('[]') } });
    const rd = n.ready();
    assert.equal(rd.snapshot, undefined);
    assert.equal(n.status().commit, 3);
    assert.equal(n.status().lastIndex, 4);
  });

  it('a snapshot carries the membership: a restored follower adopts it', () => {
    const n = new RaftNode({
      id: 'd', electionTick: 10, heartbeatTick: 1, random: () => 0,
      persisted: { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [], conf: { voters: [], learners: [] } },
    });
    const conf = { voters: VOTERS, learners: ['d'] };
    n.step({ type: 'snapshot', from: 'a', to: 'd', term: 4, snapshot: { meta: { index: 30, term: 4, conf }, data: enc('["x"]') } });
    const rd = n.ready();
    assert.equal(rd.snapshot?.meta.index, 30);
    assert.equal(rd.mustSync, true);
    assert.deepEqual(rd.messages.map((m) => [m.type, m.index]), [['appendResp', 30]]);
    assert.equal(rd.committedEntries.length, 0);
    n.advance(rd);
    const st = n.status();
    assert.deepEqual(st.conf, conf);
    assert.equal(st.commit, 30);
    assert.equal(st.applied, 30);
  });
});
