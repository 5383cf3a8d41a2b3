/**
 * The restart policy as a pure decision over the task, its carried restart
 * history and `now`: no timers survive a leader change (nomad#1747), so a
 * new leader makes the same decision at the same time. The delay backs off
 * exponentially over restarts in a row (restartStreak) and starts over after
 * a healthy run.
 */
import { restartDueAt, streakBefore, type Task } from '@shoal/types';
import type { ResolvedServiceSpec } from '@shoal/types';

/** What a replacement inherits from the task it restarts. */
export interface RestartCarry {
  history: number[] | undefined;
  streak: number;
}

export type RestartDecision =
  | { kind: 'now'; carry: RestartCarry }
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
  const due = restartDueAt(t, p);
  if (now < due) return { kind: 'later', at: due };
  return { kind: 'now', carry: { history: p.maxAttempts > 0 ? [...recent, now].slice(-p.maxAttempts) : undefined, streak: streakBefore(t) + 1 } };
}
