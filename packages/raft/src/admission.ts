import type { Message, MessageType, NodeId } from './types.js';

/**
 * Which messages a replica lets into its state machine, by the sender's role
 * in the membership it knows, and by how far the terms and indexes they carry
 * may reach. Raft itself trusts every sender; the transport only proves that
 * a sender is a member (PSK), not that it is a voter. These checks keep a
 * learner (or a removed node) from campaigning, leading, or pushing terms and
 * indexes out of range. A compromised voter is still trusted: Raft is not
 * Byzantine-tolerant.
 */

/** Largest term or index a message may carry: far beyond any real cluster, far below 2^53. */
export const MAX_TERM = 2 ** 48;
export const MAX_INDEX = 2 ** 48;
/**
 * Largest term jump one message may cause on a node that already has a term.
 * Terms grow by one per election; a million elections is years of churn.
 */
export const MAX_TERM_JUMP = 1_000_000;

export type DropReason =
  /** Not a message at all: wrong shape, wrong addressee, from ourselves. */
  | 'malformed'
  /** A term or index past MAX_TERM/MAX_INDEX, or one that contradicts the message's own term. */
  | 'outOfRange'
  /** A term more than MAX_TERM_JUMP above ours. */
  | 'termJump'
  /** A campaign from a node that is not a voter in our membership. */
  | 'campaignFromNonVoter'
  /** An append, heartbeat, snapshot or timeoutNow from a node we know is not a voter. */
  | 'leadFromNonVoter'
  /** A reply carrying a higher term from a node that is not a voter: it may not depose anyone. */
  | 'termFromNonVoter';

export type DropCounts = Record<DropReason, number>;

export function emptyDropCounts(): DropCounts {
  return { malformed: 0, outOfRange: 0, termJump: 0, campaignFromNonVoter: 0, leadFromNonVoter: 0, termFromNonVoter: 0 };
}

const CAMPAIGN = new Set<MessageType>(['vote', 'preVote']);
const LEAD = new Set<MessageType>(['append', 'heartbeat', 'snapshot', 'timeoutNow']);

export function isCampaign(t: MessageType): boolean {
  return CAMPAIGN.has(t);
}

export function isLead(t: MessageType): boolean {
  return LEAD.has(t);
}

/** Terms and indexes within bounds, and consistent with the message's own term. */
export function inRange(m: Message): boolean {
  if (m.term > MAX_TERM) return false;
  for (const n of [m.index, m.commit, m.rejectHint]) if (n !== undefined && n > MAX_INDEX) return false;
  // A candidate's or leader's last log term cannot be newer than its term.
  if (m.logTerm !== undefined && (isCampaign(m.type) || m.type === 'append') && m.logTerm > m.term) return false;
  if (m.rejectTerm !== undefined && m.rejectTerm > MAX_TERM) return false;
  if (m.snapshot && (m.snapshot.meta.index > MAX_INDEX || m.snapshot.meta.term > m.term)) return false;
  return true;
}

/** What the receiver knows when it judges a message. */
export interface Judge {
  term: number;
  /** The leader this node follows in its current term, if any. */
  leader: NodeId | null;
  voters: ReadonlySet<NodeId>;
  /** Every node this replica has seen in a membership (voters, learners, removed ones). */
  known: ReadonlySet<NodeId>;
  /** True for a node that has no log and no term yet: it cannot judge anyone. */
  fresh: boolean;
}

/**
 * The reason to drop `m`, or null to accept it. A node that knows no voters
 * yet (joining by log replay) accepts from anyone: it cannot tell. A sender
 * it has never seen in any membership may be a voter added after its log
 * ends (it lags), so leader messages from it are accepted too; one it knows
 * as a learner or a removed member is refused. A leader this node already
 * follows in the current term stays followed even once its own removal is in
 * the log (it leads until the removal commits).
 */
export function admit(m: Message, j: Judge): DropReason | null {
  if (!inRange(m)) return 'outOfRange';
  if (!j.fresh && m.term > j.term + MAX_TERM_JUMP) return 'termJump';
  if (j.voters.size === 0 || j.voters.has(m.from)) return null;
  if (isCampaign(m.type)) return 'campaignFromNonVoter';
  if (isLead(m.type)) {
    // A stale one changes nothing here: step() only answers it with our term, which tells a
    // deposed leader (perhaps one we lag behind) to step down (found by the simulator).
    if (m.term < j.term) return null;
    // Includes the timeoutNow with which a leader that removed itself hands over.
    if (m.term === j.term && j.leader === m.from) return null;
    if (m.type !== 'timeoutNow' && !j.known.has(m.from)) return null;
    return 'leadFromNonVoter';
  }
  if (m.term > j.term) return 'termFromNonVoter';
  return null;
}
