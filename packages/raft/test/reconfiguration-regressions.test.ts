// Regression tests for the membership bugs of issue 15, each written before its fix.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeConfChange } from '../src/codec.js';
import { RaftNode } from '../src/node.js';
import type { ConfState, Entry, Message } from '../src/types.js';
import { Cluster, MemDisk, enc, seeded } from './harness.js';

const conf = (voters: string[], learners: string[] = []): ConfState => ({ voters, learners });
const confEntry = (index: number, term: number, type: 'promoteLearner' | 'removeNode', node: string, after: ConfState): Entry => ({
  index, term, type: 'conf', data: encodeConfChange({ type, node, conf: after }),
});
const normal = (index: number, term: number, cmd = ''): Entry => ({ index, term, type: 'normal', data: enc(cmd) });

describe('membership regressions (issue 15)', () => {
  it('bug 1: a node restarted with two unapplied conf changes campaigns under the newest one, so there are never two leaders', () => {
    // a..d start from the same log: 1 no-op, 2 promote d, 3 remove a, all of term 1.
    // a and b crashed with commit 1 (entries then hard state, the README's loop allows it);
    // c and d applied everything. The cluster's real membership is {b, c, d}.
    const bootstrap = conf(['a', 'b', 'c'], ['d']);
    const log = [normal(1, 1), confEntry(2, 1, 'promoteLearner', 'd', conf(['a', 'b', 'c', 'd'])), confEntry(3, 1, 'removeNode', 'a', conf(['b', 'c', 'd']))];
    const c = new Cluster([], { seed: 11 });
    for (const id of ['a', 'b', 'c', 'd']) {
      c.add(id, bootstrap);
      const disk = c.disks.get(id)!;
      disk.entries = log.slice();
      disk.hardState = { term: 1, vote: null, commit: id === 'a' || id === 'b' ? 1 : 3 };
      c.restart(id, bootstrap);
    }
    c.partition(['a', 'b'], ['c', 'd']);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      c.tick();
      for (const l of c.leaders()) seen.add(l);
    }
    // {a, b} is no majority of {b, c, d}: only the {c, d} side may lead and commit.
    assert.ok([...seen].every((l) => l === 'c' || l === 'd'), `leaders seen: ${[...seen].join(',')}`);
    assert.ok(c.node('b').status().commit <= 3, `the {a, b} side committed up to ${c.node('b').status().commit} on its own`);
    // a may campaign to commit its own removal, but only under {b, c, d}, never counting itself.
    const asks = c.sent.filter((m) => m.from === 'a' && (m.type === 'vote' || m.type === 'preVote'));
    assert.ok(asks.every((m) => ['b', 'c', 'd'].includes(m.to)), 'a campaigns only under the newest membership');
    assert.deepEqual([...c.node('a').status().conf.voters].sort(), ['b', 'c', 'd']);
  });

  it('bug 2: a leader that removes itself from a 2-voter cluster leaves a survivor that can lead, even when the commit is lost', () => {
    const c = new Cluster(['a', 'b'], { seed: 3 });
    const leader = c.elect();
    const other = leader === 'a' ? 'b' : 'a';
    c.propose(leader, 'before');
    const { index } = c.node(leader).proposeConfChange({ type: 'removeNode', node: leader });
    // The survivor gets the removal entry, but every later message from the old leader
    // (the one carrying the commit, the timeoutNow) is lost.
    c.dropIf = (m: Message) => m.from === leader && m.to === other && (m.type !== 'append' || (m.commit ?? 0) >= index || (m.entries ?? []).length === 0);
    c.stabilize();
    assert.ok(c.node(other).status().lastIndex >= index, 'the survivor has the removal');
    c.tick(3);
    // Removed nodes are shut down.
    c.stop(leader);
    c.dropIf = null;
    c.tick(100);
    assert.deepEqual(c.leaders(), [other]);
    const idx = c.propose(other, 'after');
    assert.equal(c.node(other).status().commit >= idx, true);
    assert.deepEqual(c.node(other).status().conf.voters, [other]);
  });

  it('found by the simulator: a leader that alone holds its uncommitted self-removal, restarted, still lets the cluster elect and commit the removal', () => {
    const c = new Cluster(['a', 'b'], { seed: 4 });
    const leader = c.elect();
    const other = leader === 'a' ? 'b' : 'a';
    c.dropIf = (m: Message) => m.from === leader;
    c.node(leader).proposeConfChange({ type: 'removeNode', node: leader });
    c.stabilize();
    assert.ok(c.node(other).status().lastIndex < c.node(leader).status().lastIndex, 'only the leader holds the removal');
    // The leader restarts: a follower whose newest membership ({other}) excludes it. The survivor
    // still counts on its vote and cannot get it (its log is behind).
    c.restart(leader, { voters: ['a', 'b'], learners: [] });
    c.dropIf = null;
    c.tick(200);
    assert.deepEqual(c.leaders(), [other]);
    assert.deepEqual(c.node(other).status().conf.voters, [other]);
    const idx = c.propose(other, 'after');
    assert.ok(c.node(other).status().commit >= idx);
  });

  it('found by the simulator: a follower whose uncommitted conf entry removes the new leader still accepts it, and the entry is replaced', () => {
    // Everyone holds the no-op at 1; only b also holds "remove e" at 2 (uncommitted). e then wins
    // without it (a, c, d vote for it) and must be able to replace b's entry.
    const all = ['a', 'b', 'c', 'd', 'e'];
    const c = new Cluster([], { seed: 6 });
    for (const id of all) {
      c.add(id, conf(all));
      const disk = c.disks.get(id)!;
      disk.entries = id === 'b' ? [normal(1, 1), confEntry(2, 1, 'removeNode', 'e', conf(['a', 'b', 'c', 'd']))] : [normal(1, 1)];
      disk.hardState = { term: 1, vote: null, commit: 1 };
      c.restart(id, conf(all));
    }
    c.node('e').campaign();
    c.stabilize();
    assert.deepEqual(c.leaders(), ['e']);
    c.propose('e', 'x');
    c.tick(3);
    assert.ok(c.applied.get('b')!.includes('x'), 'b follows e');
    assert.deepEqual([...c.node('b').status().conf.voters].sort(), all, 'b\'s uncommitted removal was replaced');
  });

  it('bug 3: a single voter that just won does not answer ReadIndex below an entry an old leader may have acknowledged', () => {
    // b is the only voter; its log holds entry 2 (possibly acknowledged by the removed leader) but its commit is 1.
    const disk = new MemDisk();
    disk.entries = [normal(1, 1), normal(2, 1, 'acked-by-old-leader')];
    disk.hardState = { term: 1, vote: null, commit: 1 };
    const n = new RaftNode({ id: 'b', electionTick: 10, heartbeatTick: 1, random: seeded(1), persisted: { hardState: disk.hardState, snapshot: null, entries: disk.entries, conf: conf(['b']) } });
    n.campaign();
    assert.equal(n.status().role, 'leader');
    n.readIndex('r1');
    const answers: number[] = [];
    for (let i = 0; i < 10 && n.hasReady(); i++) {
      const rd = n.ready();
      answers.push(...rd.readStates.map((r) => r.index));
      n.advance(rd);
    }
    assert.equal(answers.length, 1, 'the read is answered once the leader committed in its term');
    assert.ok(answers[0]! >= 2, `read index ${answers[0]} is below entry 2`);
  });

  it('weak spot: an ack queued in an old term is not sent after a higher-term append replaced the entries it acknowledged', () => {
    const c = new Cluster(['a', 'b', 'c'], { seed: 5 });
    const leader = c.elect();
    const f = ['a', 'b', 'c'].find((x) => x !== leader)!;
    const term = c.node(f).status().term;
    const last = c.node(f).status().lastIndex;
    const n = c.node(f);
    // Old leader's append (term t) with two new entries: f queues an ack for last+2.
    n.step({ type: 'append', from: leader, to: f, term, index: last, logTerm: term, entries: [normal(last + 1, term, 'x'), normal(last + 2, term, 'y')], commit: 0 });
    // Before f's host drains, a new leader at t+1 replaces those entries.
    const newLeader = ['a', 'b', 'c'].find((x) => x !== leader && x !== f)!;
    n.step({ type: 'append', from: newLeader, to: f, term: term + 1, index: last, logTerm: term, entries: [normal(last + 1, term + 1, 'z')], commit: 0 });
    const rd = n.ready();
    const stale = rd.messages.filter((m) => m.type === 'appendResp' && m.term < term + 1);
    assert.deepEqual(stale, [], 'no ack of the replaced entries leaves the node');
    assert.deepEqual(rd.entries.map((e) => e.index), [last + 1]);
  });
});

describe('commit index on followers', () => {
  it('a follower commits only up to the last entry the append matched, never its own stale suffix', () => {
    // f holds 4 and 5 from a deposed leader of term 1; the term-2 leader's append covers only up to 3.
    const disk = new MemDisk();
    disk.entries = [normal(1, 1), normal(2, 1), normal(3, 1), normal(4, 1, 'stale'), normal(5, 1, 'stale')];
    disk.hardState = { term: 1, vote: null, commit: 2 };
    const f = new RaftNode({ id: 'f', electionTick: 10, heartbeatTick: 1, random: seeded(1), persisted: { hardState: disk.hardState, snapshot: null, entries: disk.entries, conf: conf(['l', 'f', 'g']) } });
    f.step({ type: 'append', from: 'l', to: 'f', term: 2, index: 2, logTerm: 1, entries: [normal(3, 1)], commit: 6 });
    assert.equal(f.status().commit, 3);
  });
});
