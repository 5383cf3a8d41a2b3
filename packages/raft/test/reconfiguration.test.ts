import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RaftError } from '../src/errors.js';
import type { ConfChange } from '../src/types.js';
import { Cluster, enc } from './harness.js';

const VOTERS = ['a', 'b', 'c'];
const EMPTY = { voters: [], learners: [] };

function change(c: Cluster, leader: string, cc: ConfChange): void {
  c.node(leader).proposeConfChange(cc);
  c.stabilize();
  c.tick(2);
}

const isCode = (code: string) => (e: unknown) => e instanceof RaftError && e.code === code;

describe('membership', () => {
  it('a learner joins with an empty conf, receives the whole log, and never campaigns', () => {
    const c = new Cluster(VOTERS, { seed: 4 });
    const leader = c.elect();
    for (let i = 0; i < 5; i++) c.propose(leader, `v${i}`);
    c.add('d', EMPTY);
    change(c, leader, { type: 'addLearner', node: 'd' });
    assert.deepEqual(c.applied.get('d'), c.applied.get(leader));
    assert.deepEqual(c.node('d').status().conf.learners, ['d']);
    assert.equal(c.node(leader).status().progress!.d!.learner, true);
    const term = c.node('d').status().term;
    c.isolate('d');
    c.tick(100);
    assert.equal(c.node('d').status().role, 'follower');
    assert.equal(c.node('d').status().term, term);
    assert.equal(c.sent.filter((m) => m.from === 'd' && (m.type === 'preVote' || m.type === 'vote')).length, 0);
  });

  it('the leader heartbeats a learner once per election timeout, a voter every heartbeat timeout, and commits reach the learner at once', () => {
    const c = new Cluster(VOTERS, { seed: 4, electionTick: 8, heartbeatTick: 2 });
    const leader = c.elect();
    c.add('d', EMPTY);
    change(c, leader, { type: 'addLearner', node: 'd' });
    const voter = VOTERS.find((x) => x !== leader)!;
    const from = c.sent.length;
    c.tick(80);
    const beats = (to: string) => c.sent.slice(from).filter((m) => m.from === leader && m.to === to && m.type === 'heartbeat').length;
    assert.equal(beats(voter), 40, 'a voter: every 2 ticks');
    assert.equal(beats('d'), 10, 'a learner: every 8 ticks');
    // Idle learner traffic is thinner, but a commit does not wait for a heartbeat.
    const index = c.propose(leader, 'x');
    assert.equal(c.node('d').status().commit, index);
    // And the learner is not mistaken for a silent member (no leadership handed away over it).
    c.tick(100);
    assert.deepEqual(c.leaders(), [leader]);
  });

  it('a learner does not count for commit: two voters down means no commit', () => {
    const c = new Cluster(VOTERS, { seed: 4 });
    const leader = c.elect();
    c.add('d', EMPTY);
    change(c, leader, { type: 'addLearner', node: 'd' });
    for (const id of VOTERS) if (id !== leader) c.stop(id);
    const commit = c.node(leader).status().commit;
    const { index } = c.node(leader).propose(enc('lost?'));
    c.stabilize();
    assert.equal(c.node('d').status().lastIndex, index, 'the learner has the entry');
    assert.equal(c.node(leader).status().commit, commit, 'but it does not count');
  });

  it('a candidate does not count a learner\'s vote', () => {
    const c = new Cluster(VOTERS, { seed: 4 });
    const leader = c.elect();
    c.add('d', EMPTY);
    change(c, leader, { type: 'addLearner', node: 'd' });
    const others = VOTERS.filter((x) => x !== leader);
    c.stop(leader);
    c.stop(others[1]!);
    // The only live voter can reach just the learner: no quorum, no leader.
    c.tick(100);
    assert.deepEqual(c.leaders(), []);
    assert.equal(c.sent.filter((m) => m.to === 'd' && (m.type === 'preVote' || m.type === 'vote')).length, 0);
  });

  it('a promoted learner becomes a voter everywhere and counts for quorum', () => {
    const c = new Cluster(VOTERS, { seed: 4 });
    const leader = c.elect();
    c.add('d', EMPTY);
    change(c, leader, { type: 'addLearner', node: 'd' });
    change(c, leader, { type: 'promoteLearner', node: 'd' });
    for (const id of [...VOTERS, 'd']) {
      assert.deepEqual([...c.node(id).status().conf.voters].sort(), ['a', 'b', 'c', 'd'], id);
      assert.deepEqual(c.node(id).status().conf.learners, []);
    }
    // 4 voters: quorum is 3; with d up, one more voter down still commits.
    const other = VOTERS.find((x) => x !== leader)!;
    c.stop(other);
    const idx = c.propose(leader, 'with-d');
    assert.equal(c.node(leader).status().commit, idx);
  });

  it('accepts one conf change at a time', () => {
    const c = new Cluster(VOTERS, { seed: 4 });
    const leader = c.elect();
    c.tick(2);
    c.node(leader).proposeConfChange({ type: 'addLearner', node: 'd' });
    assert.throws(() => c.node(leader).proposeConfChange({ type: 'addLearner', node: 'e' }), isCode('CONFLICT'));
    c.stabilize();
    c.tick(1);
    c.node(leader).proposeConfChange({ type: 'addLearner', node: 'e' });
  });

  it('a new leader accepts no conf change until its predecessors\' entries are applied', () => {
    const c = new Cluster(VOTERS, { seed: 4 });
    const old = c.elect();
    c.tick(2);
    const next = VOTERS.find((x) => x !== old)!;
    // `next` receives an entry that never commits under the old leader (its acks are lost).
    c.dropIf = (m) => m.type === 'appendResp';
    c.node(old).propose(enc('maybe a conf change'));
    c.stabilize();
    c.dropIf = null;
    c.node(next).step({ type: 'timeoutNow', from: old, to: next, term: c.node(next).status().term });
    while (c.node(next).status().role !== 'leader') {
      for (const id of VOTERS) c.processReady(id);
      c.deliverAll();
    }
    assert.throws(() => c.node(next).proposeConfChange({ type: 'addLearner', node: 'd' }), isCode('CONFLICT'));
    c.stabilize();
    c.node(next).proposeConfChange({ type: 'addLearner', node: 'd' });
  });

  it('rejects conf changes that make no sense, with a reason', () => {
    const c = new Cluster(VOTERS, { seed: 4 });
    const leader = c.elect();
    c.tick(2);
    const n = c.node(leader);
    assert.throws(() => n.proposeConfChange({ type: 'addVoter', node: 'a' }), isCode('CONFLICT'));
    assert.throws(() => n.proposeConfChange({ type: 'promoteLearner', node: 'zz' }), isCode('NOT_FOUND'));
    assert.throws(() => n.proposeConfChange({ type: 'removeNode', node: 'zz' }), isCode('NOT_FOUND'));
    assert.throws(() => n.proposeConfChange({ type: 'bogus', node: 'x' } as unknown as ConfChange), isCode('BAD_ARGUMENT'));
    const f = VOTERS.find((x) => x !== leader)!;
    assert.throws(() => c.node(f).proposeConfChange({ type: 'addLearner', node: 'd' }), isCode('NOT_LEADER'));
  });

  it('a removed node that missed its removal cannot disrupt the cluster', () => {
    const c = new Cluster(VOTERS, { seed: 9 });
    const leader = c.elect();
    c.tick(2);
    const gone = VOTERS.find((x) => x !== leader)!;
    c.isolate(gone);
    change(c, leader, { type: 'removeNode', node: gone });
    assert.deepEqual([...c.node(leader).status().conf.voters].sort(), VOTERS.filter((x) => x !== gone).sort());
    const term = c.node(leader).status().term;
    c.tick(50);
    c.heal();
    c.tick(100);
    assert.deepEqual(c.leaders(), [leader]);
    assert.equal(c.node(leader).status().term, term);
    const idx = c.propose(leader, 'still-fine');
    assert.equal(c.node(leader).status().commit, idx);
  });

  it('a removed leader hands over and steps down', () => {
    const c = new Cluster(VOTERS, { seed: 9 });
    const leader = c.elect();
    c.tick(2);
    change(c, leader, { type: 'removeNode', node: leader });
    assert.notEqual(c.node(leader).status().role, 'leader');
    c.tick(5);
    const next = c.leaders();
    assert.equal(next.length, 1);
    assert.notEqual(next[0], leader);
    const idx = c.propose(next[0]!, 'after-removal');
    assert.equal(c.node(next[0]!).status().commit, idx);
  });

  it('a voter added from scratch catches up and then votes', () => {
    const c = new Cluster(['a'], { seed: 2 });
    c.elect();
    c.tick(1);
    c.propose('a', 'x');
    c.add('b', EMPTY);
    change(c, 'a', { type: 'addVoter', node: 'b' });
    c.add('c', EMPTY);
    change(c, 'a', { type: 'addVoter', node: 'c' });
    assert.deepEqual(c.applied.get('c'), ['x']);
    c.stop('a');
    c.tick(60);
    const ls = c.leaders();
    assert.equal(ls.length, 1);
    assert.ok(['b', 'c'].includes(ls[0]!));
  });
});
