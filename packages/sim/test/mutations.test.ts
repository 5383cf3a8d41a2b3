import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RaftNode } from '@shoal/raft';
import { RaftHost } from '@shoal/raft-host';
import type { Ready } from '@shoal/raft';
import { runSimulation } from '../src/index.js';

/**
 * Mutation tests: break Raft on purpose (by patching the node this process
 * loads) and check that the simulation notices. A checker that stays green
 * here would be blind to the bug.
 */
function firstViolation(mix: string, seeds: number): { kind: string; seed: number } | null {
  for (let seed = 1; seed <= seeds; seed++) {
    const r = runSimulation({ seed, mix, steps: 150 });
    if (r.violation) return { kind: r.violation.kind, seed };
  }
  return null;
}

function patched<K extends keyof RaftNode>(name: K, impl: (orig: RaftNode[K]) => RaftNode[K], fn: () => void): void {
  const proto = RaftNode.prototype as unknown as Record<string, unknown>;
  const orig = proto[name];
  proto[name] = impl(orig as RaftNode[K]);
  try {
    fn();
  } finally {
    proto[name] = orig;
  }
}

test('a Raft that does not ask to sync new entries is caught', () => {
  patched(
    'ready',
    (orig) =>
      function (this: RaftNode): Ready {
        const rd = (orig as () => Ready).call(this);
        return { ...rd, mustSync: false };
      },
    () => {
      const v = firstViolation('calm', 5);
      assert.equal(v?.kind, 'durability');
    },
  );
});

test('a Raft that sends messages before persisting its term and vote is caught', () => {
  patched(
    'ready',
    (orig) =>
      function (this: RaftNode): Ready {
        const rd = (orig as () => Ready).call(this);
        // Drop the vote from what the caller persists: the vote response still goes out.
        return rd.hardState ? { ...rd, hardState: { ...rd.hardState, vote: null } } : rd;
      },
    () => {
      const v = firstViolation('crashes', 20);
      assert.ok(v !== null, 'no violation found');
      assert.equal(v.kind, 'durability');
    },
  );
});

test('voters that ignore the up-to-date log check lose committed data, and the checks see it', () => {
  // Every voter grants as if the candidate's log were at least as up-to-date as its own.
  const probe = new RaftNode({ id: 'p', electionTick: 10, heartbeatTick: 1, random: () => 0, persisted: { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [], conf: { voters: ['p'], learners: [] } } });
  const logProto = Object.getPrototypeOf((probe as unknown as { log: object }).log) as { isUpToDate: (i: number, t: number) => boolean };
  const orig = logProto.isUpToDate;
  logProto.isUpToDate = () => true;
  try {
    const v = firstViolation('chaos', 150);
    assert.ok(v !== null, 'no violation found in 150 seeds');
    assert.ok(['leader-completeness', 'committed-overwrite', 'state-machine-safety', 'lost-write', 'linearizability', 'log-matching', 'commit-durability', 'snapshot-safety', 'raft-threw', 'replica-divergence'].includes(v.kind), v.kind);
  } finally {
    logProto.isUpToDate = orig;
  }
});

test('nodes that answer reads from local state, without ReadIndex, serve stale reads and the checker sees it', () => {
  // Every host, leader or not, serves a read at once from what it applied: the classic unsafe local read.
  const proto = RaftHost.prototype;
  const { requestRead } = proto;
  proto.requestRead = function (this: RaftHost, _opts: { timeoutMs?: number }, settle: (err: unknown) => void): void {
    settle(null);
  };
  try {
    const v = firstViolation('partitions', 100);
    assert.ok(v !== null, 'no violation found in 100 seeds');
    assert.equal(v.kind, 'linearizability');
  } finally {
    proto.requestRead = requestRead;
  }
});
