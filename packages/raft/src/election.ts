/**
 * Leader election: timers, pre-vote and vote rounds (with the up-to-date log
 * check of Raft 5.4.1), check-quorum on the leader, and a candidate's
 * handling of replies.
 */
import { MAX_TERM } from './admission.js';
import { Replication } from './replication.js';
import type { Message, MessageType, NodeId } from './types.js';

/** Vote requests with this context come from a leadership transfer and bypass the leader lease. */
export const TRANSFER = 'transfer';
/**
 * A vote refusal may name the leader the refusing voter follows in its term. A member that
 * knows that leader only as a learner (its log ends before the promotion) refuses the leader's
 * own messages, but takes a voter's word for it (see admission.ts).
 */
export const LEADER_HINT = 'leader:';

export abstract class Election extends Replication {
  /**
   * The leader this node followed when it last began to campaign: its silence is why we campaign.
   * A voter still inside that leader's lease refuses our pre-vote naming it; following it again
   * would restart our timer and the voter's (each refusal resets the other's lease), so two
   * survivors could refuse each other for seconds while the leader is dead.
   */
  private campaignedAgainst: NodeId | null = null;

  protected tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(false);
    }
  }

  protected tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTimeout) {
      this.electionElapsed = 0;
      for (const pr of this.tracker.progress.values()) {
        pr.silentRounds = pr.heard ? 0 : pr.silentRounds + 1;
        pr.heard = false;
      }
      if (this.checkQuorum && !this.tracker.quorumActive(this.id)) {
        this.becomeFollower(this.term, null);
        return;
      }
      if (this.removalCommitted()) {
        // No survivor caught up within an election timeout: step down and let them campaign.
        this.becomeFollower(this.term, null);
        return;
      }
      if (this.leadTransferee !== null) this.leadTransferee = null;
      this.maybeYieldToOlderVoter();
      // Learners never campaign, so they need no heartbeat per election timeout beyond one (it keeps their `heard` mark fresh).
      this.bcastHeartbeat(undefined, 'learners');
    }
    for (const pr of this.tracker.progress.values()) {
      // A snapshot message may be lost: retry after an election timeout without an answer.
      if (pr.state === 'snapshot' && ++pr.snapshotTicks >= this.electionTimeout) {
        pr.becomeProbe();
        this.needBroadcast = true;
      }
    }
    if (this.heartbeatElapsed >= this.heartbeatTimeout) {
      this.heartbeatElapsed = 0;
      this.bcastHeartbeat(this.readOnly.lastContext(), 'voters');
    }
  }

  protected hup(transfer: boolean): void {
    // A term past MAX_TERM is never persisted: stop campaigning long before 2^53.
    if (this.role === 'leader' || !this.promotable() || this.term >= MAX_TERM) return;
    if (this.leader !== null) this.campaignedAgainst = this.leader;
    if (this.preVote && !transfer) this.startCampaign(true, false);
    else this.startCampaign(false, transfer);
  }

  protected startCampaign(pre: boolean, transfer: boolean): void {
    let type: MessageType;
    let term: number;
    if (pre) {
      this.becomePreCandidate();
      type = 'preVote';
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      type = 'vote';
      term = this.term;
    }
    this.tracker.recordVote(this.id, true);
    if (this.tracker.tally() === 'won') {
      if (pre) this.startCampaign(false, transfer);
      else this.becomeLeader();
      return;
    }
    const index = this.log.lastIndex();
    const logTerm = this.log.lastTerm();
    for (const to of this.tracker.voters) {
      if (to === this.id) continue;
      const m: Message = { type, from: this.id, to, term, index, logTerm };
      if (transfer) m.context = TRANSFER;
      this.msgs.push(m);
    }
  }

  protected handleVoteRequest(m: Message): void {
    const pre = m.type === 'preVote';
    const canVote = this.vote === m.from || (this.vote === null && this.leader === null) || (pre && m.term > this.term);
    const respType: MessageType = pre ? 'preVoteResp' : 'voteResp';
    if (canVote && this.log.isUpToDate(m.index ?? 0, m.logTerm ?? 0)) {
      // A grant carries the term of the request so the candidate counts it for that campaign.
      this.send({ type: respType, to: m.from, term: m.term });
      if (!pre) {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      const resp: Omit<Message, 'from'> = { type: respType, to: m.from, term: this.term, reject: true };
      if (this.leader !== null && this.leader !== m.from) resp.context = LEADER_HINT + this.leader;
      this.send(resp);
    }
  }

  /** The leader named in a voter's vote refusal at our term or above, if any. */
  protected leaderHint(m: Message): NodeId | null {
    if ((m.type !== 'voteResp' && m.type !== 'preVoteResp') || !m.reject || m.term < this.term) return null;
    if (!m.context?.startsWith(LEADER_HINT) || !this.possibleVoters().has(m.from)) return null;
    const id = m.context.slice(LEADER_HINT.length);
    return id.length > 0 && id !== this.id ? id : null;
  }

  protected stepCandidate(m: Message): void {
    const respType: MessageType = this.role === 'preCandidate' ? 'preVoteResp' : 'voteResp';
    const hint = m.type === respType ? this.leaderHint(m) : null;
    if (hint !== null && hint !== this.campaignedAgainst) {
      // A voter follows a leader in our term that we did not hear from: the campaign is over.
      this.becomeFollower(this.term, hint);
      return;
    }
    switch (m.type) {
      case 'append':
        this.becomeFollower(m.term, m.from);
        this.handleAppend(m);
        return;
      case 'heartbeat':
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        return;
      case 'snapshot':
        this.becomeFollower(m.term, m.from);
        this.handleSnapshot(m);
        return;
      default:
        break;
    }
    if (m.type !== respType) return;
    this.tracker.recordVote(m.from, !m.reject);
    const result = this.tracker.tally();
    if (result === 'won') {
      if (this.role === 'preCandidate') this.startCampaign(false, false);
      else this.becomeLeader();
    } else if (result === 'lost') {
      this.becomeFollower(this.term, null);
    }
  }
}
