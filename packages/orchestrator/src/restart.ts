/**
 * The restart policy as a pure decision over the task, its carried restart
 * history and `now`: no timers survive a leader change (nomad#1747), so a
 * new leader makes the same decision at the same time.
 */
import type { Task } from '@shoal/types';
import type { ResolvedServiceSpec } from '@shoal/types';

export type RestartDecision =
  | { kind: 'now'; history: number[] | undefined }
  | { kind: 'later'; at: number }
  | { kind: 'never'; reason: string };

export function restartDecision(t: Task, spec: ResolvedServiceSpec, now: number): RestartDecision {
  const p = spec.restart;
  const completed = t.status.state === 'complete' || (t.status.state === 'shutdown' && t.status.exitCode === 0);
  if (p.condition === 'none') return { kind: 'never', reason: 'restart condition is none' };
  if (p.condition === 'on-failure' && completed) return { kind: 'never', reason: 'task completed and restarts only on failure' };
  const recent = (t.restartHistory ?? []).filter((at) => p.windowMs === 0 || at > now - p.windowMs);
  if (p.maxAttempts > 0 && recent.length >= p.maxAttempts) {
    // Within a window, attempts free up as old ones age out of it.
    if (p.windowMs > 0) return { kind: 'later', at: Math.min(...recent) + p.windowMs };
    return { kind: 'never', reason: `restarted ${recent.length} times (max ${p.maxAttempts})` };
  }
  const due = t.status.timestamp + p.delayMs;
  if (now < due) return { kind: 'later', at: due };
  return { kind: 'now', history: p.maxAttempts > 0 ? [...recent, now].slice(-p.maxAttempts) : undefined };
}
