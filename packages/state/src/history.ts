/**
 * Bounded task history: each slot keeps at most `taskHistory` finished tasks
 * (swarmkit's task history retention), so a crash-looping service cannot
 * grow the state without bound. Live tasks are never pruned.
 */
import { isTerminalTaskState, type Task } from '@shoal/types';
import { slotKey, type Store } from './store.js';

export function isFinished(task: Task): boolean {
  return task.desiredState !== 'running' && isTerminalTaskState(task.status.state);
}

function olderFirst(a: Task, b: Task): number {
  return a.status.timestamp - b.status.timestamp || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function pruneSlot(store: Store, task: Task): void {
  const limit = Math.max(0, store.config.taskHistory);
  const finished = store.tasksIn(store.tasksBySlot, slotKey(task)).filter(isFinished);
  if (finished.length <= limit) return;
  finished.sort(olderFirst);
  for (const old of finished.slice(0, finished.length - limit)) store.deleteTask(old.id);
}
