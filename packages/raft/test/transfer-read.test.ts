import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotLeaderError, RaftError } from '../src/errors.js';
import { Cluster, enc } from './harness.js';

const VOTERS = ['a', 'b', 'c'];

describe('leadership transfer', () => {
  it('hands leadership to an up-to-date follower in the next term', () => {
    const c = new Cluster(VOTERS, { seed: 6 });
    const leader = c.elect();
    c.tick(2);
    const to = VOTERS.find((x) => x !== leader)!;
    const term = c.node(leader).status().term;
    c.node(leader).transferLeadership(to);
    c.stabilize();
    assert.deepEqual(c.leaders(), [to]);
    assert.equal(c.node(to).status().term, term + 1);
    assert.ok(c.sent.some((m) => m.type === 'timeoutNow' && m.to === to));
  });

  it('catches a lagging target up before sending timeoutNow', () => {
    const c = new Cluster(VOTERS, { seed: 6 });
    const leader = c.elect();
    c.tick(2);
    const to = VOTERS.find((x) => x !== leader)!;
    c.isolate(to);
    for (let i = 0; i < 10; i++) c.propose(leader, `v${i}`);
    c.heal();
    c.sent = [];
    c.node(leader).transferLeadership(to);
    c.stabilize();
    assert.deepEqual(c.leaders(), [to]);
    const firstTimeoutNow = c.sent.findIndex((m) => m.type === 'timeoutNow');
    const lastAppend = c.sent.map((m) => m.type === 'append' && m.to === to).lastIndexOf(true);
    assert.ok(lastAppend < firstTimeoutNow, 'appends first, then timeoutNow');
    assert.deepEqual(c.applied.get(to)!.slice(0, 10), Array.from({ length: 10 }, (_, i) => `v${i}`));
  });

  it('refuses proposals while a transfer is in progress, and gives up after an election timeout', () => {
    const c = new Cluster(VOTERS, { seed: 6 });
    const leader = c.elect();
    c.tick(2);
    const to = VOTERS.find((x) => x !== leader)!;
    c.stop(to);
    c.node(leader).transferLeadership(to);
    assert.throws(() => c.node(leader).propose(enc('x')), (e: unknown) => e instanceof NotLeaderError && e.leaderHint === to);
    c.tick(10);
    assert.deepEqual(c.leaders(), [leader]);
    c.node(leader).propose(enc('x'));
  });

  it('only a voter can become leader', () => {
    const c = new Cluster(VOTERS, { seed: 6 });
    const leader = c.elect();
    assert.throws(() => c.node(leader).transferLeadership('zz'), (e: unknown) => e instanceof RaftError && e.code === 'NOT_FOUND');
    const f = VOTERS.find((x) => x !== leader)!;
    assert.throws(() => c.node(f).transferLeadership(leader), NotLeaderError);
  });

  it('a transfer campaign gets votes from followers inside their leader lease', () => {
    const c = new Cluster(VOTERS, { seed: 6 });
    const leader = c.elect();
    c.tick(2);
    const to = VOTERS.find((x) => x !== leader)!;
    c.node(leader).transferLeadership(to);
    c.stabilize();
    const votes = c.sent.filter((m) => m.type === 'voteResp' && m.to === to);
    assert.ok(votes.length >= 1 && votes.every((m) => !m.reject));
  });
});

describe('ReadIndex', () => {
  it('answers only after a quorum acknowledged a heartbeat, at the commit index', () => {
    const c = new Cluster(VOTERS, { seed: 12 });
    const leader = c.elect();
    c.tick(2);
    const idx = c.propose(leader, 'w');
    const n = c.node(leader);
    n.readIndex('r1');
    const rd = n.ready();
    assert.deepEqual(rd.readStates, []);
    assert.ok(rd.messages.some((m) => m.type === 'heartbeat' && m.context === 'r1'));
    c.disks.get(leader)!.persist(rd);
    n.advance(rd);
    c.queue.push(...rd.messages);
    c.stabilize();
    assert.deepEqual(c.readStates.get(leader), [{ index: idx, context: 'r1' }]);
  });

  it('a leader cut off from the quorum never answers', () => {
    const c = new Cluster(VOTERS, { seed: 12 });
    const leader = c.elect();
    c.tick(2);
    c.isolate(leader);
    c.node(leader).readIndex('r1');
    c.tick(5);
    assert.deepEqual(c.readStates.get(leader), []);
  });

  it('a single voter answers at once', () => {
    const c = new Cluster(['a']);
    c.elect();
    c.stabilize();
    c.node('a').readIndex('r');
    c.stabilize();
    assert.deepEqual(c.readStates.get('a'), [{ index: 1, context: 'r' }]);
  });

  it('waits for the first commit of the leader\'s term before answering', () => {
    const c = new Cluster(VOTERS, { seed: 12 });
    let leader: string | undefined;
    // Campaign by hand and ask for a read before the no-op commits.
    c.node('a').campaign();
    for (let i = 0; i < 50 && !leader; i++) {
      c.processReady('a');
      c.processReady('b');
      c.processReady('c');
      c.deliverAll();
      leader = c.leaders()[0];
    }
    assert.equal(leader, 'a');
    assert.equal(c.node('a').status().commit, 0);
    c.node('a').readIndex('early');
    c.stabilize();
    assert.deepEqual(c.readStates.get('a'), [{ index: 1, context: 'early' }]);
  });

  it('a follower refuses with the leader as hint', () => {
    const c = new Cluster(VOTERS, { seed: 12 });
    const leader = c.elect();
    c.tick(2);
    const f = VOTERS.find((x) => x !== leader)!;
    assert.throws(() => c.node(f).readIndex('x'), (e: unknown) => e instanceof NotLeaderError && e.leaderHint === leader);
  });
});
