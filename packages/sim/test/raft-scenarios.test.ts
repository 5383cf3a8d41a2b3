import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RaftNode } from '@shoal/raft';
import type { ConfState, Entry, PersistedState } from '@shoal/raft';
import { drainMessages } from '@shoal/testkit';

/**
 * Hand-built Raft situations the random search reaches only rarely, driven
 * message by message against the real RaftNode. Each one pins a bug the
 * simulator's analysis found (see src/regression-seeds.ts for the seed-based ones).
 */
const conf: ConfState = { voters: ['L', 'F', 'G'], learners: [] };
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const entries = (from: number, to: number, term: number): Entry[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ index: from + i, term, type: 'normal', data: enc(`t${term}i${from + i}`) }));

function node(id: string, persisted: Omit<PersistedState, 'conf' | 'snapshot'>): RaftNode {
  return new RaftNode({ id, electionTick: 10, heartbeatTick: 1, random: () => 0.5, preVote: false, persisted: { ...persisted, snapshot: null, conf } });
}


test('a follower that fast-forwards on a snapshot acknowledges only what matches the leader', () => {
  // F holds 1..10 (term 1, committed) and a stale, uncommitted suffix 11..12 from a deposed term-2 leader.
  const f = node('F', { hardState: { term: 2, vote: null, commit: 5 }, entries: [...entries(1, 10, 1), ...entries(11, 12, 2)] });
  // The term-3 leader L sends a snapshot at 10 (term 1): F already holds that entry, so it only learns the commit.
  f.step({ type: 'snapshot', from: 'L', to: 'F', term: 3, snapshot: { meta: { index: 10, term: 1, conf }, data: new Uint8Array() } });
  const [ack] = drainMessages(f).filter((m) => m.type === 'appendResp' && !m.reject);
  assert.ok(ack, 'F answers the snapshot');
  // Acknowledging 12 would tell L that F's 11..12 match L's own term-3 entries there.
  assert.ok((ack.index ?? 0) <= 10, `F acknowledged index ${ack.index} although only 1..10 are known to match the leader`);
});

test('a leader never commits entries that only it holds because of a snapshot ack', () => {
  const f = node('F', { hardState: { term: 2, vote: null, commit: 5 }, entries: [...entries(1, 10, 1), ...entries(11, 12, 2)] });
  const l = node('L', { hardState: { term: 2, vote: null, commit: 10 }, entries: entries(1, 10, 1) });
  l.campaign();
  drainMessages(l);
  l.step({ type: 'voteResp', from: 'G', to: 'L', term: 3 });
  drainMessages(l);
  l.propose(enc('x'));
  drainMessages(l);
  assert.equal(l.status().role, 'leader');
  assert.equal(l.status().lastIndex, 12);
  f.step({ type: 'snapshot', from: 'L', to: 'F', term: 3, snapshot: { meta: { index: 10, term: 1, conf }, data: new Uint8Array() } });
  for (const m of drainMessages(f)) if (m.to === 'L') l.step(m);
  drainMessages(l);
  // L's entries 11..12 (term 3) are on L alone: F holds term-2 entries there. They are not committed.
  assert.equal(l.status().commit, 10);
});
