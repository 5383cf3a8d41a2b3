/**
 * Cron schedules of periodic jobs, read with cron-parser in UTC so every
 * replica and every leader computes the same tick from the same time. The
 * caller passes the time (the leader's injected clock): nothing here reads one.
 */
import { CronExpressionParser } from 'cron-parser';

/** The first tick strictly after `afterMs` (ms since epoch). Throws on an expression cron-parser refuses. */
export function nextCronTime(expr: string, afterMs: number): number {
  return CronExpressionParser.parse(expr, { currentDate: new Date(afterMs), tz: 'UTC' }).next().getTime();
}

/** Why `expr` is not a usable schedule, or null when it is. */
export function cronIssue(expr: string): string | null {
  const fields = expr.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6) return `has ${fields} field${fields === 1 ? '' : 's'}; a schedule has 5 (minute hour day month weekday) or 6 (seconds first)`;
  try {
    nextCronTime(expr, 0);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}
