/** Task states only move forward (swarmkit's rule); this is the order. */
import { TASK_STATES, type TaskState } from '@shoal/types';

const RANK = new Map<TaskState, number>(TASK_STATES.map((s, i) => [s, i]));

export function stateRank(state: TaskState): number {
  return RANK.get(state) ?? -1;
}

/** complete and later: the process is not running and never will again. */
export function isTerminal(state: TaskState): boolean {
  return stateRank(state) >= stateRank('complete');
}
