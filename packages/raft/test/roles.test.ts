// Raft messages by role (issue 13): what a member that is not a voter can no longer do.
// Each attack is played by a learner (or a removed node) stepping forged messages into the
// pure node; packages/daemon/test/raft-roles.test.ts plays the same attacks over libp2p.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_TERM, MAX_TERM_JUMP } from '../src/admission.js';
import type { ConfChange, Message } from '../src/types.js';
import { Cluster, enc } from './harness.js';

const VOTERS = ['a', 'b', 'c'];
const EMPTY = { voters: [], learners: [] };

function withLearner(): { c: Cluster; leader: string; follower: string } {
  const c = new Cluster(VOTERS, { seed: 9 });
  const leader = c.elect();
  c.add('x', EMPTY);
  change(c, leader, { type: 'addLearner', node: 'x' });
  c.propose(leader, 'v1');
  return { c, leader, follower: VOTERS.find((v) => v !== leader)! };
}

function change(c: Cluster, leader: string, cc: ConfChange): void {
  c.node(leader).proposeConfChange(cc);
  c.stabilize();
  c.tick(2);
}

/** Promotes the learner `to` and has `leader` hand leadership to it. */
function promoteAndHandOver(c: Cluster, leader: string, to: string): void {
  change(c, leader, { type: 'promoteLearner', node: to });
  c.node(leader).transferLeadership(to);
  c.stabilize();
}

/** Steps `m` into `to` as if it came off the wire, then lets the cluster run. */
function inject(c: Cluster, m: Message): void {
  c.node(m.to).step(m);
  c.stabilize();
}

describe('raft messages by role', () => {
  it('a learner\'s heartbeat at term+1 does not depose the leader', () => {
    const { c, leader } = withLearner();
    const term = c.node(leader).status().term;
    inject(c, { type: 'heartbeat', from: 'x', to: leader, term: term + 1, commit: 0 });
    assert.equal(c.node(leader).status().role, 'leader');
    assert.equal(c.node(leader).status().term, term);
    assert.equal(c.node(leader).droppedMessages().leadFromNonVoter, 1);
    c.propose(leader, 'still-writes');
  });

  it('a learner\'s append at term+1 with a forged entry is neither appended nor applied', () => {
    const { c, follower } = withLearner();
    const st = c.node(follower).status();
    const forged = { index: st.lastIndex + 1, term: st.term + 1, type: 'normal' as const, data: enc('forged service.create') };
    inject(c, { type: 'append', from: 'x', to: follower, term: st.term + 1, index: st.lastIndex, logTerm: st.term, entries: [forged], commit: st.lastIndex + 1 });
    assert.equal(c.node(follower).status().term, st.term);
    assert.equal(c.node(follower).status().lastIndex, st.lastIndex);
    assert.ok(!c.applied.get(follower)!.includes('forged service.create'));
    assert.equal(c.node(follower).droppedMessages().leadFromNonVoter, 1);
  });

  it('a learner\'s append at the current term does not replace the leader a follower follows', () => {
    const { c, leader, follower } = withLearner();
    const st = c.node(follower).status();
    const forged = { index: st.lastIndex + 1, term: st.term, type: 'normal' as const, data: enc('forged') };
    inject(c, { type: 'append', from: 'x', to: follower, term: st.term, index: st.lastIndex, logTerm: st.term, entries: [forged], commit: st.lastIndex + 1 });
    assert.equal(c.node(follower).status().leader, leader);
    assert.ok(!c.applied.get(follower)!.includes('forged'));
  });

  it('a learner cannot campaign: its pre-votes and votes are dropped, and its timeoutNow too', () => {
    const { c, leader, follower } = withLearner();
    const st = c.node(follower).status();
    c.tick(30); // let the lease run out nowhere: the leader keeps heartbeating
    for (const type of ['preVote', 'vote'] as const) {
      inject(c, { type, from: 'x', to: follower, term: st.term + 1, index: 1e6, logTerm: st.term });
    }
    inject(c, { type: 'timeoutNow', from: 'x', to: follower, term: st.term });
    assert.equal(c.sent.filter((m) => m.from === follower && m.to === 'x' && (m.type === 'voteResp' || m.type === 'preVoteResp')).length, 0);
    assert.equal(c.node(follower).status().role, 'follower');
    assert.equal(c.node(follower).status().term, st.term);
    assert.deepEqual(c.leaders(), [leader]);
    const d = c.node(follower).droppedMessages();
    assert.equal(d.campaignFromNonVoter, 2);
    assert.equal(d.leadFromNonVoter, 1);
  });

  it('a learner\'s reply carrying a higher term does not depose the leader', () => {
    const { c, leader } = withLearner();
    const term = c.node(leader).status().term;
    inject(c, { type: 'appendResp', from: 'x', to: leader, term: term + 5, index: 0 });
    assert.equal(c.node(leader).status().role, 'leader');
    assert.equal(c.node(leader).droppedMessages().termFromNonVoter, 1);
  });

  it('a term near 2^53 is refused and never persisted, even from a voter', () => {
    const { c, leader, follower } = withLearner();
    const term = c.node(follower).status().term;
    for (const t of [2 ** 53 - 1, MAX_TERM + 1]) inject(c, { type: 'heartbeat', from: leader, to: follower, term: t, commit: 0 });
    assert.equal(c.node(follower).status().term, term);
    assert.equal(c.disks.get(follower)!.hardState.term, term);
    assert.equal(c.node(follower).droppedMessages().outOfRange, 2);
  });

  it('a voter\'s term jump beyond the window is refused and counted', () => {
    const { c, leader, follower } = withLearner();
    const term = c.node(follower).status().term;
    inject(c, { type: 'heartbeat', from: leader, to: follower, term: term + MAX_TERM_JUMP + 1, commit: 0 });
    assert.equal(c.node(follower).status().term, term);
    assert.equal(c.node(follower).droppedMessages().termJump, 1);
  });

  it('indexes out of range and a last log term newer than the term are refused', () => {
    const { c, leader, follower } = withLearner();
    const term = c.node(follower).status().term;
    inject(c, { type: 'heartbeat', from: leader, to: follower, term, commit: 2 ** 50 });
    inject(c, { type: 'preVote', from: leader, to: follower, term: term + 1, index: 5, logTerm: term + 2 });
    assert.equal(c.node(follower).droppedMessages().outOfRange, 2);
  });

  it('a removed node that keeps sending at higher terms is ignored', () => {
    const c = new Cluster(['a', 'b', 'c', 'd'], { seed: 2 });
    let leader = c.elect();
    const gone = ['a', 'b', 'c', 'd'].find((v) => v !== leader)!;
    change(c, leader, { type: 'removeNode', node: gone });
    c.stop(gone);
    leader = c.elect();
    const others = ['a', 'b', 'c', 'd'].filter((v) => v !== gone);
    const term = c.node(leader).status().term;
    for (const to of others) {
      inject(c, { type: 'vote', from: gone, to, term: term + 3, index: 1e6, logTerm: term });
      inject(c, { type: 'heartbeat', from: gone, to, term: term + 3, commit: 0 });
    }
    assert.deepEqual(c.leaders(), [leader]);
    for (const id of others) assert.equal(c.node(id).status().term, term);
  });

  it('a voter added after a follower\'s log ends can still lead it (the follower has never seen it)', () => {
    const c = new Cluster(VOTERS, { seed: 7 });
    const leader = c.elect();
    const lagging = VOTERS.find((v) => v !== leader)!;
    c.isolate(lagging);
    c.add('d', EMPTY);
    change(c, leader, { type: 'addLearner', node: 'd' });
    promoteAndHandOver(c, leader, 'd');
    c.tick(3);
    assert.deepEqual(c.leaders(), ['d']);
    c.heal();
    c.propose('d', 'after-heal');
    c.tick(5);
    assert.ok(c.applied.get(lagging)!.includes('after-heal'), 'the lagging voter caught up from the new voter');
  });

  it('a follower that knows the new leader only as a learner is caught up by an older voter', () => {
    const c = new Cluster(VOTERS, { seed: 7 });
    const leader = c.elect();
    const lagging = VOTERS.find((v) => v !== leader)!;
    c.add('d', EMPTY);
    change(c, leader, { type: 'addLearner', node: 'd' });
    c.isolate(lagging);
    promoteAndHandOver(c, leader, 'd');
    c.tick(3);
    assert.deepEqual(c.leaders(), ['d']);
    c.heal();
    // The lagging voter refuses d (a learner in its log): d notices it stays silent and hands
    // leadership to a voter the lagging one knows, which catches it up.
    c.tick(100);
    const now = c.leaders()[0]!;
    c.propose(now, 'after-heal');
    c.tick(5);
    assert.ok(c.applied.get(lagging)!.includes('after-heal'), 'the lagging voter caught up');
    assert.ok(c.node(lagging).droppedMessages().leadFromNonVoter > 0);
  });

  it('a promoted learner campaigns and wins', () => {
    const c = new Cluster(VOTERS, { seed: 8 });
    const leader = c.elect();
    c.add('d', EMPTY);
    change(c, leader, { type: 'addLearner', node: 'd' });
    promoteAndHandOver(c, leader, 'd');
    assert.deepEqual(c.leaders(), ['d']);
    assert.equal(c.node('d').droppedMessages().campaignFromNonVoter, 0);
  });
});
