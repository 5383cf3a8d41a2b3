/**
 * The restart backoff as pure arithmetic, shared by the leader (when to
 * restart) and the CLI (what `service ps` and the progress bar show).
 */
import type { Task } from './domain.js';
import type { RestartPolicy } from './spec.js';
import { DEFAULT_RESTART_POLICY } from './defaults.js';

/** A run at least this long resets the backoff: the task was not crash-looping. */
export const HEALTHY_RUN_MS = 30_000;

/** The wait before restart number `streak + 1` in a row: delay x 2^streak, capped. */
export function restartDelayMs(policy: RestartPolicy, streak: number): number {
  const base = policy.delayMs ?? DEFAULT_RESTART_POLICY.delayMs;
  const cap = Math.max(base, policy.maxDelayMs ?? DEFAULT_RESTART_POLICY.maxDelayMs);
  if (base === 0) return 0;
  // 2^30 x any positive delay is past every cap; stop doubling before floats grow silly.
  return Math.min(base * 2 ** Math.min(streak, 30), cap);
}

/** Ran (became running, then ended) for at least HEALTHY_RUN_MS. */
export function hadHealthyRun(t: Task): boolean {
  return t.startedAt !== undefined && t.status.timestamp - t.startedAt >= HEALTHY_RUN_MS;
}

/** The streak an ended task's restart continues from: 0 after a healthy run. */
export function streakBefore(t: Task): number {
  return hadHealthyRun(t) ? 0 : (t.restartStreak ?? 0);
}

/** When an ended task's restart is due under the policy's backoff. */
export function restartDueAt(t: Task, policy: RestartPolicy): number {
  return t.status.timestamp + restartDelayMs(policy, streakBefore(t));
}
