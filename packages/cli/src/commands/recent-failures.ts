import type { Task } from '@shoal/types';

const FAILED = new Set(['failed', 'rejected']);

/**
 * What `service ps` shows by default: every task that is meant to run, plus
 * the latest failure of each slot, so a crash-looping task's error is seen
 * without `-a` (Docker's `service ps` does the same).
 */
export function withRecentFailures(tasks: Task[]): Task[] {
  const latestFailure = new Map<string, Task>();
  for (const t of tasks) {
    if (t.desiredState === 'running' || !FAILED.has(t.status.state)) continue;
    const key = `${t.serviceId}/${t.slot}/${t.spec.mode === 'global' ? t.nodeId : ''}`;
    const seen = latestFailure.get(key);
    if (!seen || seen.status.timestamp < t.status.timestamp) latestFailure.set(key, t);
  }
  const failed = new Set([...latestFailure.values()].map((t) => t.id));
  return tasks.filter((t) => t.desiredState === 'running' || failed.has(t.id));
}
