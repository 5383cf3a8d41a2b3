import { Progress } from './progress.js';
import type { ConfState, NodeId } from './types.js';

export type VoteResult = 'won' | 'lost' | 'pending';

/**
 * Membership as the leader and candidates see it: who votes, the progress
 * of every replica (voters and learners), and the votes of a campaign.
 * Learners have progress but never count for votes, commit or quorum.
 */
export class Tracker {
  voters = new Set<NodeId>();
  learners = new Set<NodeId>();
  readonly progress = new Map<NodeId, Progress>();
  private votes = new Map<NodeId, boolean>();

  constructor(conf: ConfState, private readonly maxInflight: number) {
    this.setConf(conf, 1);
  }

  conf(): ConfState {
    return { voters: [...this.voters], learners: [...this.learners] };
  }

  /** Switch membership; replicas that join start probing at `nextIndex`. */
  setConf(conf: ConfState, nextIndex: number): void {
    this.voters = new Set(conf.voters);
    this.learners = new Set(conf.learners.filter((l) => !this.voters.has(l)));
    for (const id of [...this.progress.keys()]) {
      if (!this.voters.has(id) && !this.learners.has(id)) this.progress.delete(id);
    }
    for (const id of [...this.voters, ...this.learners]) {
      const pr = this.progress.get(id);
      if (pr) pr.learner = this.learners.has(id);
      else this.progress.set(id, new Progress(nextIndex, this.maxInflight, this.learners.has(id)));
    }
  }

  /** Forget what we knew about every replica (new term). */
  resetProgress(nextIndex: number): void {
    for (const [id, pr] of this.progress) {
      this.progress.set(id, new Progress(nextIndex, this.maxInflight, pr.learner));
    }
  }

  quorum(): number {
    return Math.floor(this.voters.size / 2) + 1;
  }

  /** The highest index that a quorum of voters has persisted. */
  committedIndex(): number {
    if (this.voters.size === 0) return 0;
    const matches: number[] = [];
    for (const id of this.voters) matches.push(this.progress.get(id)?.match ?? 0);
    matches.sort((a, b) => b - a);
    return matches[this.quorum() - 1]!;
  }

  resetVotes(): void {
    this.votes.clear();
  }

  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tally(): VoteResult {
    let granted = 0;
    let rejected = 0;
    for (const id of this.voters) {
      const v = this.votes.get(id);
      if (v === true) granted++;
      else if (v === false) rejected++;
    }
    const q = this.quorum();
    if (granted >= q) return 'won';
    if (this.voters.size - rejected < q) return 'lost';
    return 'pending';
  }

  /** Did a quorum of voters talk to us since the last check? Resets the marks. */
  quorumActive(self: NodeId): boolean {
    let active = 0;
    for (const id of this.voters) {
      const pr = this.progress.get(id);
      if (id === self || pr?.recentActive) active++;
    }
    for (const [id, pr] of this.progress) pr.recentActive = id === self;
    return active >= this.quorum();
  }

  /** Are `acks` a quorum of voters? */
  isQuorum(acks: Set<NodeId>): boolean {
    let n = 0;
    for (const id of this.voters) if (acks.has(id)) n++;
    return n >= this.quorum();
  }
}
