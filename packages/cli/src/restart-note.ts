/**
 * What the restart backoff means for an ended task the service still wants:
 * shown in `service ps` and the progress bar so a crash loop is visible
 * before any timeout. Uses the leader's own arithmetic (@shoal/types).
 */
import { applySpecDefaults, isTerminalTaskState, restartDueAt, streakBefore, type Task } from '@shoal/types';
import { formatDuration } from './units.js';

export function restartNote(t: Task, now: number): string | undefined {
  if (t.desiredState !== 'running' || !isTerminalTaskState(t.status.state)) return undefined;
  const p = applySpecDefaults(t.spec).restart;
  const completed = t.status.state === 'complete';
  if (p.condition === 'none' || (p.condition === 'on-failure' && completed)) return 'not restarted (restart condition)';
  if (p.maxAttempts > 0 && p.windowMs === 0 && (t.restartHistory ?? []).length >= p.maxAttempts) return `not restarted (max ${p.maxAttempts} attempts)`;
  const n = streakBefore(t) + 1;
  const wait = restartDueAt(t, p) - now;
  return wait > 0 ? `restart #${n} in ${formatDuration(Math.ceil(wait / 1000) * 1000)}` : `restart #${n} due`;
}
