/**
 * Autopilot: keeps an odd, healthy set of Raft voters without an operator.
 * Pure decision, one change at a time (Raft allows one pending conf change):
 *  1. fewer voters than the target and a healthy learner exists -> promote it;
 *  2. a voter down past the grace period and a healthy learner to replace it
 *     -> remove the dead voter (step 1 then promotes the learner);
 *  0. a registered, alive node that Raft does not know (autopilot removed it
 *     while it was down) -> add it back as a learner;
 *  3. more voters than the target -> demote nothing (removal would shrink
 *     fault tolerance); the operator removes nodes explicitly.
 * Voter counts stay odd: with an even number of healthy candidates the last
 * one is left a learner.
 */
import type { ConfChange, ConfState } from '@shoal/raft';

export interface MemberHealth {
  id: string;
  /** Heard from recently (failure detector alive) and not marked down. */
  alive: boolean;
  /** When it was last seen alive (ms), for the grace period. */
  downSince?: number;
  /** Caught up with the leader's log (within a few entries). */
  caughtUp: boolean;
}

export interface AutopilotInput {
  conf: ConfState;
  members: Map<string, MemberHealth>;
  target: number;
  graceMs: number;
  now: number;
  leaderId: string;
  /** Nodes registered in the cluster state (not removed by an operator). */
  registered: string[];
}

export function planVoterChange(input: AutopilotInput): ConfChange | null {
  const { conf, members, target, graceMs, now, leaderId, registered } = input;
  const healthy = (id: string) => id === leaderId || (members.get(id)?.alive ?? false);
  const known = new Set([...conf.voters, ...conf.learners]);
  const returned = registered.filter((id) => !known.has(id) && healthy(id)).sort();
  if (returned.length > 0) return { type: 'addLearner', node: returned[0] };
  const candidates = conf.learners.filter((id) => healthy(id) && (members.get(id)?.caughtUp ?? false)).sort();
  const voters = conf.voters;
  const deadVoters = voters.filter((id) => {
    if (id === leaderId) return false;
    const m = members.get(id);
    return !!m && !m.alive && m.downSince !== undefined && now - m.downSince >= graceMs;
  });
  if (voters.length < target && candidates.length > 0) {
    // Keep the count odd: promote one only if that (or the next) step reaches an odd size.
    const after = voters.length + 1;
    if (after % 2 === 1 || candidates.length >= 2) return { type: 'promoteLearner', node: candidates[0] };
  }
  if (deadVoters.length > 0 && candidates.length > 0) {
    return { type: 'removeNode', node: deadVoters.sort()[0] };
  }
  return null;
}
