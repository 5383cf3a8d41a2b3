import { RaftError, type RaftErrorCode } from './errors.js';
import { decodeConfChange } from './codec.js';
import type { ConfChange, ConfState, Entry, NodeId } from './types.js';

/** The membership after `cc`; a change that does not apply leaves it as is. */
export function applyConfChange(conf: ConfState, cc: ConfChange): ConfState {
  // The leader's statement of the result wins: it is what every replica with a complete history computes.
  if (cc.conf) return { voters: [...cc.conf.voters], learners: cc.conf.learners.filter((l) => !cc.conf!.voters.includes(l)) };
  const voters = conf.voters.filter((v) => v !== cc.node);
  const learners = conf.learners.filter((l) => l !== cc.node);
  const isVoter = conf.voters.includes(cc.node);
  const isLearner = conf.learners.includes(cc.node);
  switch (cc.type) {
    case 'addVoter':
      return { voters: [...voters, cc.node], learners };
    case 'addLearner':
      // Demoting a voter is not supported: it would need joint consensus.
      return isVoter ? conf : { voters, learners: [...learners, cc.node] };
    case 'promoteLearner':
      return isLearner ? { voters: [...voters, cc.node], learners } : conf;
    case 'removeNode':
      return { voters, learners };
  }
}

/** The membership after the conf entry `e`. */
export function confAfterEntry(conf: ConfState, e: Entry): ConfState {
  try {
    return applyConfChange(conf, decodeConfChange(e.data));
  } catch {
    // An undecodable conf entry changes nothing, on every replica alike.
    return conf;
  }
}

/** Reject, before it enters the log, a change that would be a no-op or unsafe. */
export function checkConfChange(conf: ConfState, cc: ConfChange): void {
  const valid = ['addVoter', 'addLearner', 'promoteLearner', 'removeNode'].includes(cc?.type);
  if (!valid || typeof cc.node !== 'string' || cc.node.length === 0) {
    throw new RaftError('BAD_ARGUMENT', 'a conf change needs a type (addVoter, addLearner, promoteLearner, removeNode) and a non-empty node id');
  }
  const isVoter = conf.voters.includes(cc.node);
  const isLearner = conf.learners.includes(cc.node);
  const fail = (code: RaftErrorCode, why: string): never => {
    throw new RaftError(code, why, { node: cc.node, change: cc.type });
  };
  switch (cc.type) {
    case 'addVoter':
      if (isVoter) fail('CONFLICT', `${cc.node} is already a voter`);
      break;
    case 'addLearner':
      if (isVoter) fail('CONFLICT', `${cc.node} is a voter; remove it first to make it a learner`);
      if (isLearner) fail('CONFLICT', `${cc.node} is already a learner`);
      break;
    case 'promoteLearner':
      if (!isLearner) fail('NOT_FOUND', `${cc.node} is not a learner; add it as a learner first`);
      break;
    case 'removeNode':
      if (!isVoter && !isLearner) fail('NOT_FOUND', `${cc.node} is not a member of the cluster`);
      if (isVoter && conf.voters.length === 1) fail('CONFLICT', `${cc.node} is the last voter; add another voter first`);
      break;
  }
}

export function sameConf(a: ConfState, b: ConfState): boolean {
  const eq = (x: NodeId[], y: NodeId[]): boolean => x.length === y.length && x.every((v) => y.includes(v));
  return eq(a.voters, b.voters) && eq(a.learners, b.learners);
}
