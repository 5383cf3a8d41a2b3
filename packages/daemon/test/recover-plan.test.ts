import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RaftNode, encodeConfChange, type Entry } from '@shoal/raft';
import type { LoadedState } from '@shoal/raft-host';
import { peersAhead, planRecovery, summarizeLog } from '../src/recover-plan.js';
import { drainReady } from '@shoal/testkit';

const cmd = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: new TextEncoder().encode(`w${index}`) });

/** A survivor of {a,b,c,d,e} after d was promoted: 6 entries in its log, 4 of them known committed. */
function survivor(): LoadedState {
  const promote: Entry = { index: 3, term: 2, type: 'conf', data: encodeConfChange({ type: 'promoteLearner', node: 'e', conf: { voters: ['a', 'b', 'c', 'd', 'e'], learners: [] } }) };
  return {
    hardState: { term: 4, vote: 'b', commit: 4 },
    snapshot: null,
    entries: [cmd(1, 1), cmd(2, 2), promote, cmd(4, 3), cmd(5, 3), cmd(6, 3)],
    conf: { voters: ['a', 'b', 'c', 'd'], learners: ['e'] },
    applied: 0,
  };
}

describe('recovery from quorum loss (pure plan)', () => {
  it('summarises the log: membership is the latest conf entry, committed or not', () => {
    const s = summarizeLog(survivor());
    assert.deepEqual(s, { term: 4, commit: 4, lastIndex: 6, lastTerm: 3, conf: { voters: ['a', 'b', 'c', 'd', 'e'], learners: [] } });
  });

  it('appends one conf entry making the survivor the only voter, at a new term, and commits everything', () => {
    const plan = planRecovery(survivor(), 'b')!;
    assert.equal(plan.entry.index, 7);
    assert.equal(plan.entry.type, 'conf');
    assert.equal(plan.entry.term, 5, 'above both the hard-state term and the last entry term');
    assert.deepEqual(plan.hardState, { term: 5, vote: 'b', commit: 7 });
    assert.equal(plan.adopted, 2, 'entries 5 and 6 were not known committed');
  });

  it('the recovered log makes a real Raft node elect itself alone and keep every entry', () => {
    const loaded = survivor();
    const plan = planRecovery(loaded, 'b')!;
    const node = new RaftNode({
      id: 'b',
      electionTick: 10,
      heartbeatTick: 1,
      random: () => 0,
      persisted: { hardState: plan.hardState, snapshot: null, entries: [...loaded.entries, plan.entry], conf: loaded.conf },
    });
    const applied: number[] = [];
    for (let i = 0; i < 40 && node.status().role !== 'leader'; i++) {
      node.tick();
      for (const rd of drainReady(node)) applied.push(...rd.committedEntries.map((e) => e.index));
    }
    const st = node.status();
    assert.equal(st.role, 'leader');
    assert.deepEqual(st.conf, { voters: ['b'], learners: [] });
    assert.ok(st.term > plan.hardState.term);
    assert.deepEqual(applied.slice(0, 7), [1, 2, 3, 4, 5, 6, 7], 'every entry of the survivor is applied, in order');
    // A write is committed by this node alone.
    const w = node.propose(new TextEncoder().encode('after'));
    for (const rd of drainReady(node)) applied.push(...rd.committedEntries.map((e) => e.index));
    assert.ok(applied.includes(w.index));
  });

  it('is idempotent: a log that already has this node alone, all committed, needs nothing', () => {
    const loaded = survivor();
    const plan = planRecovery(loaded, 'b')!;
    const after: LoadedState = { ...loaded, entries: [...loaded.entries, plan.entry], hardState: plan.hardState };
    assert.equal(planRecovery(after, 'b'), null);
  });

  it('names the survivors whose log reaches past ours', () => {
    const self = summarizeLog(survivor());
    const ahead = peersAhead(self, [
      { name: 'c', lastIndex: 6, commit: 4 },
      { name: 'd', lastIndex: 9, commit: 6 },
      { name: 'e', lastIndex: null, commit: null, error: 'refused' },
    ]);
    assert.deepEqual(ahead.map((p) => p.name), ['d']);
  });
});
