import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RaftNode } from '../src/node.js';
import type { Message, RaftConfig } from '../src/types.js';
import { Cluster, MemDisk } from './harness.js';

function lone(id: string, voters: string[], extra: Partial<RaftConfig> = {}): RaftNode {
  const disk = new MemDisk();
  return new RaftNode({
    id,
    electionTick: 10,
    heartbeatTick: 1,
    random: () => 0,
    persisted: { hardState: disk.hardState, snapshot: null, entries: [], conf: { voters, learners: [] } },
    ...extra,
  });
}

function drain(n: RaftNode): Message[] {
  if (!n.hasReady()) return [];
  const rd = n.ready();
  n.advance(rd);
  return rd.messages;
}

describe('elections', () => {
  it('a single voter elects itself and commits its no-op', () => {
    const c = new Cluster(['a']);
    const leader = c.elect();
    assert.equal(leader, 'a');
    c.stabilize();
    const st = c.node('a').status();
    assert.equal(st.role, 'leader');
    assert.equal(st.term, 1);
    assert.equal(st.commit, 1);
    const idx = c.propose('a', 'x');
    assert.equal(c.node('a').status().commit, idx);
    assert.deepEqual(c.applied.get('a'), ['x']);
  });

  it('three voters elect exactly one leader that every node follows', () => {
    const c = new Cluster(['a', 'b', 'c'], { seed: 7 });
    const leader = c.elect();
    c.tick(3);
    for (const id of ['a', 'b', 'c']) {
      const st = c.node(id).status();
      assert.equal(st.leader, leader, `${id} follows ${leader}`);
      assert.equal(st.commit, 1, `${id} committed the leader's no-op`);
    }
    assert.deepEqual(c.leaders(), [leader]);
  });

  it('election timeout is randomized within [electionTick, 2*electionTick)', () => {
    for (const [r, expected] of [[0, 10], [0.5, 15], [0.9999, 19]] as const) {
      const n = lone('a', ['a', 'b', 'c'], { random: () => r });
      let ticks = 0;
      while (n.status().role === 'follower' && ticks < 100) {
        n.tick();
        ticks++;
      }
      assert.equal(ticks, expected, `random ${r}`);
      assert.equal(n.status().role, 'preCandidate');
    }
  });

  it('pre-vote does not bump terms: an isolated node keeps its term and cannot disrupt the leader on return', () => {
    const c = new Cluster(['a', 'b', 'c'], { seed: 3 });
    const leader = c.elect();
    const victim = ['a', 'b', 'c'].find((x) => x !== leader)!;
    const term = c.node(leader).status().term;
    c.isolate(victim);
    c.tick(100);
    assert.equal(c.node(victim).status().term, term, 'isolated node did not bump its term');
    assert.equal(c.node(victim).status().role, 'preCandidate');
    c.heal();
    c.tick(30);
    assert.deepEqual(c.leaders(), [leader]);
    assert.equal(c.node(leader).status().term, term);
    assert.equal(c.node(victim).status().leader, leader);
  });

  it('without pre-vote an isolated node bumps its term on each timeout', () => {
    const c = new Cluster(['a', 'b', 'c'], { seed: 3, preVote: false });
    const leader = c.elect();
    const victim = ['a', 'b', 'c'].find((x) => x !== leader)!;
    const term = c.node(leader).status().term;
    c.isolate(victim);
    c.tick(60);
    assert.ok(c.node(victim).status().term > term + 1);
  });

  it('check-quorum: a leader cut off from the quorum steps down within two election timeouts', () => {
    const c = new Cluster(['a', 'b', 'c'], { seed: 5 });
    const leader = c.elect();
    c.isolate(leader);
    // The first check may still count answers from just before the cut.
    c.tick(20);
    assert.notEqual(c.node(leader).status().role, 'leader');
    // The others elect a new leader.
    c.tick(40);
    const others = c.leaders().filter((l) => l !== leader);
    assert.equal(others.length, 1);
  });

  it('leader lease: a follower that heard from its leader ignores a higher-term vote request', () => {
    const c = new Cluster(['a', 'b', 'c'], { seed: 11 });
    const leader = c.elect();
    const f = ['a', 'b', 'c'].find((x) => x !== leader)!;
    const other = ['a', 'b', 'c'].find((x) => x !== leader && x !== f)!;
    const term = c.node(f).status().term;
    c.node(f).step({ type: 'vote', from: other, to: f, term: term + 5, index: 100, logTerm: term + 4 });
    assert.equal(c.node(f).status().term, term);
    assert.deepEqual(drain(c.node(f)), []);
  });

  it('grants a vote only to an up-to-date log, persisting term and vote in the same ready as the reply', () => {
    const n = lone('b', ['a', 'b', 'c']);
    n.step({ type: 'vote', from: 'a', to: 'b', term: 1, index: 0, logTerm: 0 });
    const rd = n.ready();
    assert.deepEqual(rd.hardState, { term: 1, vote: 'a', commit: 0 });
    assert.equal(rd.mustSync, true);
    assert.equal(rd.messages.length, 1);
    assert.equal(rd.messages[0]!.type, 'voteResp');
    assert.equal(rd.messages[0]!.reject, undefined);
    n.advance(rd);
    // A second candidate in the same term is refused: one vote per term.
    n.step({ type: 'vote', from: 'c', to: 'b', term: 1, index: 0, logTerm: 0 });
    const [resp] = drain(n);
    assert.equal(resp!.reject, true);
  });

  it('rejects a vote for a candidate whose log is behind', () => {
    const disk = new MemDisk();
    disk.entries = [{ term: 2, index: 1, type: 'normal', data: new Uint8Array() }];
    disk.hardState = { term: 2, vote: null, commit: 0 };
    const n = new RaftNode({ id: 'b', electionTick: 10, heartbeatTick: 1, random: () => 0, persisted: { ...disk, conf: { voters: ['a', 'b', 'c'], learners: [] } } });
    n.step({ type: 'vote', from: 'a', to: 'b', term: 3, index: 5, logTerm: 1 });
    const [resp] = drain(n);
    assert.equal(resp!.type, 'voteResp');
    assert.equal(resp!.reject, true);
    assert.equal(n.status().term, 3, 'a higher-term vote request still advances the term');
    assert.equal(n.status().vote, null);
  });

  it('a stale-term append is answered with the current term and changes nothing', () => {
    const n = lone('b', ['a', 'b', 'c'], { persisted: { hardState: { term: 5, vote: null, commit: 0 }, snapshot: null, entries: [], conf: { voters: ['a', 'b', 'c'], learners: [] } } });
    n.step({ type: 'append', from: 'a', to: 'b', term: 3, index: 0, logTerm: 0, entries: [{ term: 3, index: 1, type: 'normal', data: new Uint8Array() }], commit: 1 });
    const msgs = drain(n);
    assert.deepEqual(msgs.map((m) => [m.type, m.term]), [['appendResp', 5]]);
    assert.equal(n.status().lastIndex, 0);
    assert.equal(n.status().commit, 0);
  });

  it('a pre-candidate becomes candidate only with a quorum of pre-votes, then leader with a quorum of votes', () => {
    const n = lone('a', ['a', 'b', 'c']);
    n.campaign();
    let msgs = drain(n);
    assert.equal(n.status().role, 'preCandidate');
    assert.equal(n.status().term, 0);
    assert.deepEqual(msgs.map((m) => [m.type, m.to, m.term]), [['preVote', 'b', 1], ['preVote', 'c', 1]]);
    n.step({ type: 'preVoteResp', from: 'b', to: 'a', term: 1 });
    msgs = drain(n);
    assert.equal(n.status().role, 'candidate');
    assert.equal(n.status().term, 1);
    assert.deepEqual(msgs.map((m) => [m.type, m.to, m.term]), [['vote', 'b', 1], ['vote', 'c', 1]]);
    n.step({ type: 'voteResp', from: 'c', to: 'a', term: 1, reject: true });
    assert.equal(n.status().role, 'candidate');
    n.step({ type: 'voteResp', from: 'b', to: 'a', term: 1 });
    assert.equal(n.status().role, 'leader');
    assert.equal(n.status().lastIndex, 1, 'the new leader appended its no-op');
  });

  it('a candidate that loses a quorum of votes falls back to follower', () => {
    const n = lone('a', ['a', 'b', 'c'], { preVote: false });
    n.campaign();
    drain(n);
    n.step({ type: 'voteResp', from: 'b', to: 'a', term: 1, reject: true });
    n.step({ type: 'voteResp', from: 'c', to: 'a', term: 1, reject: true });
    assert.equal(n.status().role, 'follower');
  });

  it('ignores malformed and misaddressed messages without throwing', () => {
    const n = lone('a', ['a', 'b', 'c']);
    const odd: unknown[] = [
      null, 42, {}, { type: 'nope', from: 'b', to: 'a', term: 1 }, { type: 'append', from: 'b', to: 'x', term: 1 },
      { type: 'append', from: 'b', to: 'a', term: -1 }, { type: 'append', from: 'b', to: 'a', term: 1, entries: 'x' },
      { type: 'append', from: 'b', to: 'a', term: 1, index: 0, logTerm: 0, entries: [{ term: 1, index: 5, type: 'normal', data: new Uint8Array() }] },
      { type: 'snapshot', from: 'b', to: 'a', term: 1, snapshot: { meta: null } },
      { type: 'appendResp', from: 'b', to: 'a', term: 0, index: 1e9 },
      { type: 'heartbeat', from: 'a', to: 'a', term: 9 },
    ];
    for (const m of odd) n.step(m as Message);
    assert.equal(n.status().lastIndex, 0);
  });
  it('the survivors of a dead leader elect one within a randomized timeout, though one runs a tick behind the other', () => {
    // The survivor that times out first asks one whose lease on the dead leader has a tick left: the refusal
    // names the dead leader. Following it again restarted both timers, so the two refused each other for seconds.
    for (let seed = 1; seed <= 40; seed++) {
      const c = new Cluster(['a', 'b', 'c'], { seed, electionTick: 10, preVote: true, checkQuorum: true });
      const old = c.elect();
      c.tick(3);
      c.stop(old);
      const [x, y] = ['a', 'b', 'c'].filter((id) => id !== old) as [string, string];
      let ticks = 0;
      while (c.leaders().length === 0 && ticks < 200) {
        c.node(x).tick();
        c.stabilize();
        c.node(y).tick();
        c.stabilize();
        ticks++;
      }
      assert.equal(c.leaders().length, 1, `seed ${seed}: a leader`);
      assert.ok(ticks <= 2 * 10, `seed ${seed}: elected after ${ticks} ticks, more than one randomized timeout (< 20)`);
    }
  });
  it("a learner's vote does not count toward a candidate's majority", () => {
    const a = lone('a', ['a', 'b', 'c'], {
      preVote: false,
      persisted: { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [], conf: { voters: ['a', 'b', 'c'], learners: ['d'] } },
    });
    for (let i = 0; i < 10; i++) a.tick();
    assert.equal(a.status().role, 'candidate');
    drain(a);
    a.step({ type: 'voteResp', from: 'd', to: 'a', term: 1 });
    assert.equal(a.status().role, 'candidate', 'itself and a learner are not 2 of 3 voters');
    a.step({ type: 'voteResp', from: 'b', to: 'a', term: 1 });
    assert.equal(a.status().role, 'leader', 'itself and b are');
  });
});
