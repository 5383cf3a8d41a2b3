import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotLeaderError } from '../src/errors.js';
import { RaftNode } from '../src/node.js';
import type { ConfChange, Entry } from '../src/types.js';
import { Cluster, enc } from './harness.js';
import { drainMessages } from '@shoal/testkit';

const VOTERS = ['a', 'b', 'c'];
const ent = (index: number, term: number, data = ''): Entry => ({ index, term, type: 'normal', data: enc(data) });

function withLog(id: string, term: number, entries: Entry[], commit = 0): RaftNode {
  return new RaftNode({
    id,
    electionTick: 10,
    heartbeatTick: 1,
    random: () => 0,
    preVote: false,
    persisted: { hardState: { term, vote: null, commit }, snapshot: null, entries, conf: { voters: VOTERS, learners: [] } },
  });
}


/** A cluster whose nodes start from the given disks. */
function clusterFrom(disks: Record<string, { term: number; entries: Entry[] }>, seed = 1): Cluster {
  const c = new Cluster(VOTERS, { seed, preVote: false });
  for (const [id, d] of Object.entries(disks)) {
    const disk = c.disks.get(id)!;
    disk.entries = d.entries;
    disk.hardState = { term: d.term, vote: null, commit: 0 };
    c.restart(id, { voters: VOTERS, learners: [] });
  }
  return c;
}

describe('log replication', () => {
  it('replicates proposals to every node and applies them in the same order', () => {
    const c = new Cluster(VOTERS, { seed: 2 });
    const leader = c.elect();
    for (let i = 0; i < 50; i++) c.node(leader).propose(enc(`cmd-${i}`));
    c.stabilize();
    c.tick(2);
    const expected = Array.from({ length: 50 }, (_, i) => `cmd-${i}`);
    for (const id of VOTERS) assert.deepEqual(c.applied.get(id), expected, `${id} applied everything in order`);
  });

  it('a follower refuses proposals with the leader as hint', () => {
    const c = new Cluster(VOTERS, { seed: 2 });
    const leader = c.elect();
    c.tick(2);
    const f = VOTERS.find((x) => x !== leader)!;
    assert.throws(() => c.node(f).propose(enc('x')), (err: unknown) => err instanceof NotLeaderError && err.code === 'NOT_LEADER' && err.leaderHint === leader);
  });

  it('batches: many proposals between readies go out as one append per follower', () => {
    const c = new Cluster(VOTERS, { seed: 2 });
    const leader = c.elect();
    c.tick(2);
    for (let i = 0; i < 100; i++) c.node(leader).propose(enc(`p${i}`));
    const rd = c.node(leader).ready();
    assert.equal(rd.entries.length, 100);
    const appends = rd.messages.filter((m) => m.type === 'append');
    assert.equal(appends.length, 2);
    for (const m of appends) assert.equal(m.entries!.length, 100);
  });

  it('pipelines up to maxInflight appends of at most maxSizePerMsg each, then waits for acks', () => {
    const c = new Cluster(VOTERS, { seed: 2, maxSizePerMsg: 500, maxInflight: 3 });
    const leader = c.elect();
    c.tick(2);
    for (let i = 0; i < 100; i++) c.node(leader).propose(new Uint8Array(100));
    const rd = c.node(leader).ready();
    const follower = VOTERS.find((x) => x !== leader)!;
    const appends = rd.messages.filter((m) => m.type === 'append' && m.to === follower);
    assert.equal(appends.length, 3, 'window of 3 messages');
    for (const m of appends) assert.ok(m.entries!.length >= 1 && m.entries!.length <= 4);
    // Consecutive, optimistic: each append starts where the previous one ended.
    assert.equal(appends[1]!.index, appends[0]!.index! + appends[0]!.entries!.length);
    c.disks.get(leader)!.persist(rd);
    c.node(leader).advance(rd);
    c.queue.push(...rd.messages);
    c.stabilize();
    c.tick(2);
    for (const id of VOTERS) assert.equal(c.node(id).status().commit, c.node(leader).status().lastIndex);
  });

  it('hands out a backlog of commits in slices of maxCommittedSizePerReady, in order, none lost', () => {
    const c = new Cluster(['a'], { maxCommittedSizePerReady: 100 });
    c.elect();
    c.stabilize();
    const n = c.node('a');
    const first = n.propose(enc('x'.repeat(40))).index;
    for (let i = 1; i < 10; i++) n.propose(enc('x'.repeat(40)));
    const rd1 = n.ready();
    n.advance(rd1);
    const slices: number[][] = [];
    while (n.hasReady()) {
      const rd = n.ready();
      if (rd.committedEntries.length > 0) slices.push(rd.committedEntries.map((e) => e.index));
      n.advance(rd);
    }
    // 56 bytes an entry counted: one entry fits, a second would pass 100.
    assert.ok(slices.length >= 5, `${slices.length} slices`);
    assert.ok(slices.every((s) => s.length <= 2));
    assert.deepEqual(slices.flat(), Array.from({ length: 10 }, (_, i) => first + i));
  });

  it('commits only after its own log is persisted (advance), never from the ready that carries the entry', () => {
    const c = new Cluster(['a']);
    c.elect();
    c.stabilize();
    const n = c.node('a');
    const { index } = n.propose(enc('x'));
    const rd1 = n.ready();
    assert.deepEqual(rd1.entries.map((e) => e.index), [index]);
    assert.equal(rd1.committedEntries.length, 0);
    assert.equal(n.status().commit, index - 1);
    n.advance(rd1);
    assert.equal(n.status().commit, index);
    const rd2 = n.ready();
    assert.deepEqual(rd2.committedEntries.map((e) => e.index), [index]);
    assert.equal(rd2.hardState?.commit, index);
    n.advance(rd2);
  });

  it('overwrites a follower\'s conflicting uncommitted suffix with the leader\'s log', () => {
    const c = clusterFrom({
      a: { term: 3, entries: [ent(1, 1), ent(2, 1), ent(3, 3)] },
      b: { term: 2, entries: [ent(1, 1), ent(2, 2), ent(3, 2), ent(4, 2), ent(5, 2)] },
      c: { term: 3, entries: [ent(1, 1), ent(2, 1), ent(3, 3)] },
    });
    c.node('a').campaign();
    c.stabilize();
    assert.deepEqual(c.leaders(), ['a']);
    c.tick(2);
    assert.deepEqual(c.disks.get('b')!.entries.map((e) => e.term), [1, 1, 3, 4]);
    assert.equal(c.node('b').status().commit, 4);
  });

  it('backtracks a whole conflicting term per round trip (rejectHint/rejectTerm)', () => {
    const leaderLog = [ent(1, 1)];
    for (let i = 2; i <= 100; i++) leaderLog.push(ent(i, 3));
    const c = clusterFrom({
      a: { term: 3, entries: leaderLog },
      b: { term: 2, entries: [ent(1, 1), ent(2, 2)] },
      c: { term: 3, entries: leaderLog },
    });
    c.node('a').campaign();
    c.stabilize();
    c.tick(2);
    const rejects = c.sent.filter((m) => m.type === 'appendResp' && m.from === 'b' && m.reject);
    assert.ok(rejects.length <= 2, `${rejects.length} rejections`);
    assert.equal(c.node('b').status().lastIndex, 101);
    assert.equal(c.disks.get('b')!.entries[1]!.term, 3);
  });

  it('Figure 8: an entry of an older term is not committed by counting replicas', () => {
    const a = withLog('a', 2, [ent(1, 1), ent(2, 2)]);
    a.campaign();
    drainMessages(a);
    a.step({ type: 'voteResp', from: 'b', to: 'a', term: 3 });
    assert.equal(a.status().role, 'leader');
    drainMessages(a); // persists the no-op 3@t3: the leader's own match is 3
    // b acknowledges index 2 (term 2): a majority (a, b) holds it, but it is from an older term.
    a.step({ type: 'appendResp', from: 'b', to: 'a', term: 3, index: 2 });
    drainMessages(a);
    assert.equal(a.status().commit, 0);
    // Once b holds the term-3 no-op, both commit together.
    a.step({ type: 'appendResp', from: 'b', to: 'a', term: 3, index: 3 });
    drainMessages(a);
    assert.equal(a.status().commit, 3);
  });

  it('a rejected follower goes back to probing: one append at a time', () => {
    const a = withLog('a', 1, [ent(1, 1), ent(2, 1), ent(3, 1)], 3);
    a.campaign();
    drainMessages(a);
    a.step({ type: 'voteResp', from: 'b', to: 'a', term: 2 });
    drainMessages(a);
    a.step({ type: 'appendResp', from: 'b', to: 'a', term: 2, index: 4 });
    drainMessages(a);
    assert.equal(a.status().progress!.b!.state, 'replicate');
    for (let i = 0; i < 5; i++) a.propose(enc(`x${i}`));
    drainMessages(a); // append(prev 4, entries 5..9): lost on the way
    for (let i = 0; i < 5; i++) a.propose(enc(`z${i}`));
    drainMessages(a); // append(prev 9, entries 10..14): b cannot take it
    a.step({ type: 'appendResp', from: 'b', to: 'a', term: 2, index: 9, reject: true, rejectHint: 4, rejectTerm: 2 });
    const msgs = drainMessages(a).filter((m) => m.to === 'b' && m.type === 'append');
    assert.equal(a.status().progress!.b!.state, 'probe');
    assert.equal(msgs.length, 1);
    assert.equal(msgs[0]!.index, 4);
    assert.equal(msgs[0]!.entries!.length, 10);
    // Further proposals do not go to b until it answers the probe.
    a.propose(enc('y'));
    assert.equal(drainMessages(a).filter((m) => m.to === 'b' && m.type === 'append').length, 0);
  });

  it('ignores a stale rejection and an ack beyond the leader\'s log', () => {
    const c = new Cluster(VOTERS, { seed: 4 });
    const leader = c.elect();
    c.tick(2);
    const f = VOTERS.find((x) => x !== leader)!;
    const term = c.node(leader).status().term;
    const before = c.node(leader).status();
    c.node(leader).step({ type: 'appendResp', from: f, to: leader, term, index: 0, reject: true, rejectHint: 0 });
    c.node(leader).step({ type: 'appendResp', from: f, to: leader, term, index: 999 });
    // A hint far beyond the leader's log must not make it walk back over it.
    c.node(leader).step({ type: 'appendResp', from: f, to: leader, term, index: 1, reject: true, rejectHint: 2 ** 52, rejectTerm: 1 });
    const after = c.node(leader).status();
    assert.deepEqual(after.progress![f], before.progress![f]);
    assert.equal(after.commit, before.commit);
  });

  it('a follower never truncates committed entries, whatever a message claims', () => {
    const b = withLog('b', 2, [ent(1, 1), ent(2, 2)], 2);
    b.step({ type: 'append', from: 'a', to: 'b', term: 3, index: 0, logTerm: 0, entries: [ent(1, 3)], commit: 1 });
    drainMessages(b);
    assert.equal(b.status().lastIndex, 2);
    assert.equal(b.status().commit, 2);
  });
});

/**
 * The end of one chaos step: every leader is offered the next command (one
 * in a transfer or the like refuses, which is part of the chaos), a tick
 * passes, and safety holds: applied sequences are prefixes of one another,
 * and there is at most one leader per term.
 */
function chaosStep(c: Cluster, ids: string[], next: () => string): void {
  for (const l of c.leaders()) {
    try {
      c.node(l).propose(enc(next()));
    } catch {
      // refused: transfer in progress, or no longer leader
    }
  }
  c.tick();
  const seqs = ids.map((id) => c.applied.get(id)!);
  const longest = seqs.reduce((x, y) => (x.length >= y.length ? x : y));
  for (const seq of seqs) assert.deepEqual(seq, longest.slice(0, seq.length));
  const terms = c.leaders().map((l) => c.node(l).status().term);
  assert.equal(new Set(terms).size, terms.length);
}

/** Liveness after chaos: healed and reliable, the cluster elects and commits a 'final' write. */
function settle(c: Cluster): { leader: string; final: string[] } {
  c.heal();
  c.dropIf = null;
  c.tick(60);
  const leader = c.elect();
  c.propose(leader, 'final');
  c.tick(5);
  return { leader, final: c.applied.get(leader)! };
}

describe('chaos: drops, partitions and restarts keep every replica consistent', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`seed ${seed}`, () => {
      const ids = ['a', 'b', 'c', 'd', 'e'];
      const c = new Cluster(ids, { seed, electionTick: 10 });
      const rnd = c.random;
      c.dropIf = () => rnd() < 0.1;
      let cmd = 0;
      for (let step = 0; step < 600; step++) {
        const r = rnd();
        if (r < 0.03) {
          c.heal();
          const k = ids[Math.floor(rnd() * ids.length)]!;
          c.isolate(k);
        } else if (r < 0.06) {
          c.heal();
        } else if (r < 0.08) {
          const k = ids[Math.floor(rnd() * ids.length)]!;
          c.restart(k, { voters: ids, learners: [] });
        } else if (r < 0.1) {
          const k = c.leaders()[0];
          if (k) c.compact(k);
        }
        chaosStep(c, ids, () => `c${cmd++}`);
      }
      const { final } = settle(c);
      assert.equal(final[final.length - 1], 'final');
      for (const id of ids) assert.deepEqual(c.applied.get(id), final, `${id} converged`);
    });
  }
});

describe('chaos with reordering, duplicates, membership changes and transfers', () => {
  for (const seed of [11, 12, 13, 14, 15]) {
    it(`seed ${seed}`, () => {
      const all = ['a', 'b', 'c', 'd', 'e'];
      const c = new Cluster(['a', 'b', 'c'], { seed });
      c.add('d', { voters: [], learners: [] });
      c.add('e', { voters: [], learners: [] });
      const rnd = c.random;
      c.reorder = true;
      c.duplicate = 0.05;
      c.dropIf = () => rnd() < 0.05;
      const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
      let cmd = 0;
      for (let step = 0; step < 500; step++) {
        const r = rnd();
        const [l] = c.leaders();
        if (r < 0.03) {
          c.heal();
          c.isolate(pick(all));
        } else if (r < 0.06) {
          c.heal();
        } else if (r < 0.08 && l) {
          const conf = c.node(l).status().conf;
          const candidates: ConfChange[] = [];
          for (const id of all) {
            if (conf.learners.includes(id)) candidates.push({ type: 'promoteLearner', node: id });
            else if (!conf.voters.includes(id)) candidates.push({ type: 'addLearner', node: id });
            else if (conf.voters.length > 3) candidates.push({ type: 'removeNode', node: id });
          }
          try {
            if (candidates.length > 0) c.node(l).proposeConfChange(pick(candidates));
          } catch {
            // one at a time: CONFLICT while another is pending
          }
        } else if (r < 0.1 && l) {
          const voters = c.node(l).status().conf.voters.filter((v) => v !== l);
          if (voters.length > 0) c.node(l).transferLeadership(pick(voters));
        } else if (r < 0.12 && l) {
          c.compact(l);
        }
        chaosStep(c, all, () => `c${cmd++}`);
      }
      const { leader, final } = settle(c);
      const members = c.node(leader).status().conf;
      for (const id of [...members.voters, ...members.learners]) assert.deepEqual(c.applied.get(id), final, `${id} converged`);
    });
  }
});
