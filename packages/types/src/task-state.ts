/**
 * Task state ordering (swarmkit's model): observed state only moves forward,
 * and a finished task stays finished, except that the orchestrator may mark
 * a still-live task `orphaned` when its node is lost.
 */
import { TASK_STATES, type TaskState } from './domain.js';

const ORDER = new Map<TaskState, number>(TASK_STATES.map((s, i) => [s, i]));

/** States after which a task never runs again. */
export const TERMINAL_TASK_STATES: readonly TaskState[] = ['complete', 'shutdown', 'failed', 'rejected', 'orphaned'];

export function isTerminalTaskState(state: TaskState): boolean {
  return state === 'complete' || state === 'shutdown' || state === 'failed' || state === 'rejected' || state === 'orphaned';
}

export function taskStateIndex(state: TaskState): number {
  return ORDER.get(state) ?? -1;
}

/** True when a task in `from` may move to `to`: strictly forward, and never out of a finished state. */
export function canTransition(from: TaskState, to: TaskState): boolean {
  const a = ORDER.get(from);
  const b = ORDER.get(to);
  if (a === undefined || b === undefined) return false;
  if (isTerminalTaskState(from)) return false;
  return b > a;
}
