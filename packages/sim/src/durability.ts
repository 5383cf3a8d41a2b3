import type { Message, NodeId, Ready } from '@shoal/raft';
import type { SimDisk } from './disk.js';
import { SimViolation } from './violation.js';

/** What a node last persisted, to judge the next Ready against. */
export interface PersistedMark {
  term: number;
  vote: NodeId | null;
  commit: number;
  applied: number;
}

/**
 * Rules a Ready must follow before anything is written: mustSync whenever
 * entries, term or vote change; term and commit never go back; a vote is
 * never changed within a term; a snapshot never rolls the state machine back.
 */
export function checkReady(id: NodeId, rd: Ready, last: PersistedMark): void {
  const hs = rd.hardState;
  const needSync = rd.entries.length > 0 || (hs !== undefined && (hs.term !== last.term || hs.vote !== last.vote));
  if (needSync && !rd.mustSync) throw new SimViolation('durability', `${id} got a Ready with new entries, term or vote but mustSync=false`);
  if (rd.snapshot && rd.snapshot.meta.index <= last.applied) {
    throw new SimViolation('snapshot-rollback', `${id} was handed a snapshot at ${rd.snapshot.meta.index} after applying up to ${last.applied}: its state would go back in time`);
  }
  if (!hs) return;
  if (hs.term < last.term || hs.commit < last.commit) {
    throw new SimViolation('hard-state-regress', `${id} was asked to persist term ${hs.term} commit ${hs.commit} after term ${last.term} commit ${last.commit}`);
  }
  if (hs.term === last.term && last.vote !== null && hs.vote !== last.vote) {
    throw new SimViolation('double-vote', `${id} changed its vote in term ${hs.term} from ${last.vote} to ${hs.vote}`);
  }
}

/**
 * A message may only promise what is on disk: nothing goes out in a term
 * that is not durable, a candidate has durably voted for itself, a vote
 * grant is durable, and an append ack covers durable entries only (the
 * leader counts it towards commit).
 */
export function checkOutgoing(id: NodeId, m: Message, disk: SimDisk): void {
  if (m.from !== id) throw new SimViolation('message', `${id} sent a message claiming to be from ${m.from}`);
  const durable = disk.durableHardState();
  if (m.type !== 'preVote' && m.type !== 'preVoteResp' && m.term > durable.term) {
    throw new SimViolation('durability', `${id} sent ${m.type} in term ${m.term} before persisting that term (durable term ${durable.term})`);
  }
  if (m.type === 'vote' && (durable.term !== m.term || durable.vote !== id)) {
    throw new SimViolation('durability', `${id} asked for votes in term ${m.term} before durably voting for itself`);
  }
  if (m.type === 'voteResp' && !m.reject && (durable.term !== m.term || durable.vote !== m.to)) {
    throw new SimViolation('durability', `${id} granted its vote to ${m.to} in term ${m.term} before persisting it (durable term ${durable.term}, vote ${durable.vote})`);
  }
  if (m.type === 'appendResp' && !m.reject && m.index !== undefined && m.index > disk.durableSnapshotIndex()) {
    const durableTerm = disk.durableTermAt(m.index);
    const liveTerm = disk.volatileTermAt(m.index);
    if (durableTerm === 0 || durableTerm !== liveTerm) {
      throw new SimViolation('durability', `${id} acknowledged entries up to ${m.index} that are not durable (durable term ${durableTerm}, in memory ${liveTerm})`);
    }
  }
}
