import type { CommandResult, Skipped } from './commands.js';

export function ok(extra: { id?: string; applied?: number; skipped?: Skipped[] } = {}): CommandResult {
  return { ok: true, ...extra };
}

export function fail(code: string, message: string): CommandResult {
  return { ok: false, error: { code, message } };
}

/** Result of a batch command: ok, with what was applied and what was skipped and why. */
export function batch(applied: number, skipped: Skipped[]): CommandResult {
  return skipped.length > 0 ? { ok: true, applied, skipped } : { ok: true, applied };
}
