/* eslint-disable @typescript-eslint/no-explicit-any -- a mutant rewrites private methods of the compiled classes; their types are not reachable from here */
/**
 * Classic Raft bugs, planted one at a time into the RaftNode this process
 * loaded (by replacing a method on a prototype), to prove that the unit
 * tests or the simulator catch each. Every mutant is the real method
 * (packages/raft/src) with one deliberate mistake, named in `what`: a copy
 * of it, or a wrapper around it where the mistake can be added in front.
 */
import { RaftNode } from '@shoal/raft';
import type { ConfState, Entry, Message, NodeId, Ready } from '@shoal/raft';

export interface Mutation {
  name: string;
  what: string;
  /** Mixes where the simulator should see it, tried in turn. */
  mixes: string[];
  /** Plants the bug; returns the function that removes it. */
  plant(): () => void;
}

type Proto = Record<string, any>;

/** Prototypes of the classes a RaftNode is built from (RaftLog, Tracker are internal to @shoal/raft). */
function prototypes(): { node: Proto; log: Proto; tracker: Proto } {
  const probe = new RaftNode({
    id: 'probe',
    electionTick: 10,
    heartbeatTick: 1,
    random: () => 0,
    persisted: { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [], conf: { voters: ['probe'], learners: [] } },
  }) as any;
  return { node: RaftNode.prototype as any, log: Object.getPrototypeOf(probe.log), tracker: Object.getPrototypeOf(probe.tracker) };
}

function replace(proto: Proto, name: string, make: (orig: any) => any): () => void {
  const orig = proto[name];
  if (typeof orig !== 'function') throw new Error(`mutation target ${name} is not a method: the catalog is out of date with packages/raft`);
  // RaftNode's methods live on the layers it extends (election.ts, replication.ts, ...): the
  // mutant shadows the inherited one on RaftNode.prototype, and undoing it removes the shadow.
  const own = Object.prototype.hasOwnProperty.call(proto, name);
  proto[name] = make(orig);
  return () => {
    if (own) proto[name] = orig;
    else delete proto[name];
  };
}

const P = (): Proto => prototypes().node;
const L = (): Proto => prototypes().log;
const T = (): Proto => prototypes().tracker;

export const MUTATIONS: Mutation[] = [
  {
    name: 'no-fsync',
    what: 'Ready never asks to sync new entries (mustSync always false)',
    mixes: ['calm', 'crashes'],
    plant: () => replace(P(), 'ready', (orig) => function (this: any): Ready { return { ...orig.call(this), mustSync: false }; }),
  },
  {
    name: 'vote-not-persisted',
    what: 'the vote is left out of the hard state the caller persists',
    mixes: ['crashes', 'chaos'],
    plant: () =>
      replace(P(), 'ready', (orig) => function (this: any): Ready {
        const rd: Ready = orig.call(this);
        return rd.hardState ? { ...rd, hardState: { ...rd.hardState, vote: null } } : rd;
      }),
  },
  {
    name: 'vote-for-stale-log',
    what: 'a voter grants its vote without the up-to-date log check (5.4.1)',
    mixes: ['chaos', 'partitions', 'crashes'],
    plant: () => replace(L(), 'isUpToDate', () => () => true),
  },
  {
    name: 'vote-twice',
    what: 'a voter grants a second candidate in the same term',
    mixes: ['partitions', 'chaos', 'lossy'],
    plant: () =>
      replace(P(), 'handleVoteRequest', () => function (this: any, m: Message): void {
        const pre = m.type === 'preVote';
        const respType = pre ? 'preVoteResp' : 'voteResp';
        if (this.log.isUpToDate(m.index ?? 0, m.logTerm ?? 0)) {
          this.send({ type: respType, to: m.from, term: m.term });
          if (!pre) {
            this.electionElapsed = 0;
            this.vote = m.from;
          }
        } else this.send({ type: respType, to: m.from, term: this.term, reject: true });
      }),
  },
  {
    name: 'no-current-term-commit-check',
    what: 'a leader commits an entry of an older term by counting replicas (Figure 8)',
    mixes: ['chaos', 'partitions', 'crashes'],
    plant: () =>
      replace(P(), 'maybeCommit', () => function (this: any): boolean {
        const index = this.tracker.committedIndex();
        if (index <= this.log.committed) return false;
        this.log.commitTo(index);
        const waiting = this.pendingReadIndex;
        this.pendingReadIndex = [];
        for (const r of waiting) this.handleReadIndex(r.from, r.context);
        return true;
      }),
  },
  {
    name: 'apply-uncommitted',
    what: 'entries are handed out to apply once persisted, committed or not',
    mixes: ['partitions', 'lossy', 'chaos'],
    plant: () => {
      const undoA = replace(L(), 'nextCommitted', () => function (this: any): Entry[] {
        const hi = this.stabled;
        if (this.applying >= hi || this.pendingSnapshot) return [];
        return this.slice(this.applying + 1, hi);
      });
      const undoB = replace(L(), 'hasNextCommitted', () => function (this: any): boolean {
        return !this.pendingSnapshot && this.applying < this.stabled;
      });
      return () => {
        undoA();
        undoB();
      };
    },
  },
  {
    name: 'commit-past-new-entries',
    what: "a follower takes the leader's commit index without capping it at the entries it just matched",
    mixes: ['partitions', 'chaos', 'lossy'],
    plant: () =>
      replace(P(), 'handleAppend', (orig) => function (this: any, m: Message): void {
        orig.call(this, m);
        if (this.log.matchTerm(m.index ?? 0, m.logTerm ?? 0)) this.log.commitTo(Math.min(m.commit ?? 0, this.log.lastIndex()));
      }),
  },
  {
    name: 'heartbeat-commit-unbounded',
    what: "a leader's heartbeat carries its commit index, not min(match, commit): followers commit a stale suffix",
    mixes: ['partitions', 'chaos'],
    plant: () =>
      replace(P(), 'bcastHeartbeat', () => function (this: any, context: string | undefined): void {
        for (const [to] of this.tracker.progress) {
          if (to === this.id) continue;
          const m: Message = { type: 'heartbeat', from: this.id, to, term: this.term, commit: this.log.committed };
          if (context !== undefined) m.context = context;
          this.msgs.push(m);
        }
      }),
  },
  {
    name: 'skip-consistency-check',
    what: 'a follower appends without checking that its entry at prevIndex has prevLogTerm',
    mixes: ['partitions', 'chaos', 'crashes'],
    plant: () => replace(L(), 'matchTerm', () => function (this: any, i: number): boolean { return i <= this.lastIndex(); }),
  },
  {
    name: 'keep-conflicting-suffix',
    what: 'a follower keeps its own entries where the leader sends different ones (no truncation)',
    mixes: ['partitions', 'chaos', 'crashes'],
    plant: () => replace(L(), 'findConflict', () => function (this: any, ents: Entry[]): number {
      for (const e of ents) if (e.index > this.lastIndex()) return e.index;
      return 0;
    }),
  },
  {
    name: 'truncate-committed',
    what: 'a follower lets a stale append (from before its commit index) replace committed entries',
    mixes: ['chaos', 'partitions'],
    plant: () =>
      replace(P(), 'handleAppend', (orig) => function (this: any, m: Message): void {
        // The real method refuses any append that starts below the commit index; the
        // mutant first lets such an append replace the entries it conflicts with.
        const log = this.log;
        const prevIndex = m.index ?? 0;
        const ents: Entry[] = m.entries ?? [];
        const conflict = prevIndex < log.committed && log.matchTerm(prevIndex, m.logTerm ?? 0) ? log.findConflict(ents) : 0;
        if (conflict > 0) {
          const fresh = ents.slice(conflict - prevIndex - 1);
          log.truncateAndAppend(fresh);
          this.confAppended(fresh);
        }
        orig.call(this, m);
      }),
  },
  {
    name: 'snapshot-ack-last-index',
    what: 'a follower acknowledges a snapshot with its last index, stale suffix included',
    mixes: ['chaos', 'partitions'],
    plant: () =>
      replace(P(), 'handleSnapshot', (orig) => function (this: any, m: Message): void {
        const before = this.msgs.length;
        orig.call(this, m);
        for (const out of this.msgs.slice(before)) if (out.type === 'appendResp' && m.snapshot && out.index === m.snapshot.meta.index) out.index = this.log.lastIndex();
      }),
  },
  {
    name: 'readindex-without-heartbeat',
    what: 'a leader answers ReadIndex at its commit index without a heartbeat round',
    mixes: ['partitions', 'chaos'],
    plant: () =>
      replace(P(), 'handleReadIndex', () => function (this: any, from: NodeId, context: string): void {
        if (this.log.term(this.log.committed) !== this.term) {
          this.pendingReadIndex.push({ from, context });
          return;
        }
        this.answerRead(from, this.log.committed, context);
      }),
  },
  {
    name: 'bug3-single-voter-read',
    what: 'issue 15 bug 3: a single voter answers ReadIndex before committing in its term',
    mixes: ['membership', 'chaos'],
    plant: () =>
      replace(P(), 'handleReadIndex', (orig) => function (this: any, from: NodeId, context: string): void {
        if (this.tracker.isQuorum(new Set([this.id]))) {
          this.answerRead(from, this.log.committed, context);
          return;
        }
        orig.call(this, from, context);
      }),
  },
  {
    name: 'bug1-conf-on-apply',
    what: 'issue 15 bugs 1-2: membership changes when its entry is applied, not when it is in the log',
    mixes: ['membership', 'chaos'],
    plant: () => {
      const undoA = replace(P(), 'confAppended', () => function (this: any): void {});
      const undoB = replace(P(), 'advance', (orig) => function (this: any, rd: Ready): void {
        const applied = this.log.applied;
        orig.call(this, rd);
        for (const e of rd.committedEntries) {
          if (e.index <= applied || e.type !== 'conf') continue;
          const conf: ConfState = this.confAfter(this.confHistory[this.confHistory.length - 1].conf, e);
          this.confHistory.push({ index: e.index, conf });
          this.setMembership(conf);
          if (this.role === 'leader' && !this.tracker.voters.has(this.id)) this.becomeFollower(this.term, null);
        }
      });
      return () => {
        undoA();
        undoB();
      };
    },
  },
  {
    name: 'two-conf-changes-in-flight',
    what: 'a leader accepts a conf change while the previous one is not applied',
    mixes: ['chaos', 'membership'],
    plant: () =>
      replace(P(), 'proposeConfChange', (orig) => function (this: any, cc: unknown) {
        this.pendingConfIndex = 0;
        return orig.call(this, cc);
      }),
  },
  {
    name: 'learner-vote-counts',
    what: "a candidate counts a learner's vote toward its majority",
    mixes: ['membership', 'chaos'],
    plant: () =>
      replace(T(), 'tally', () => function (this: any): string {
        let granted = 0;
        let rejected = 0;
        for (const v of this.votes.values()) {
          if (v) granted++;
          else rejected++;
        }
        const q = this.quorum();
        if (granted >= q) return 'won';
        if (this.voters.size - rejected < q) return 'lost';
        return 'pending';
      }),
  },
  {
    name: 'leader-ignores-higher-term',
    what: 'a leader does not step down when a reply carries a higher term',
    mixes: ['partitions', 'chaos'],
    plant: () =>
      replace(P(), 'step', (orig) => function (this: any, m: Message): void {
        if (this.role === 'leader' && m.term > this.term && (m.type === 'appendResp' || m.type === 'heartbeatResp' || m.type === 'voteResp' || m.type === 'preVoteResp')) return;
        orig.call(this, m);
      }),
  },
  {
    name: 'leader-counts-unpersisted-self',
    what: 'a leader counts its own entries toward commit before they are persisted',
    mixes: ['crashes', 'chaos'],
    plant: () =>
      replace(P(), 'appendEntry', (orig) => function (this: any, type: string, data: Uint8Array) {
        const r = orig.call(this, type, data);
        const self = this.tracker.progress.get(this.id);
        if (self) self.maybeUpdate(r.index);
        this.maybeCommit();
        return r;
      }),
  },
  {
    name: 'no-role-checks',
    what: 'issue 13: any member may campaign and lead (no admission by role)',
    mixes: [],
    plant: () => replace(P(), 'possibleVoters', () => () => new Set<NodeId>()),
  },
];
