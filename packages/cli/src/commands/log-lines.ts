import type { LogLine, ShoalClient } from '@shoal/api';
import { ShoalError, ErrorCode } from '@shoal/types';
import { parseInteger } from '../spec-flags.js';
import { parseDuration } from '../units.js';
import type { CliContext } from './context.js';

export interface LogFlags {
  follow?: boolean;
  tail?: string;
  since?: string;
  timestamps?: boolean;
  json?: boolean;
}

/** `--since`: an RFC 3339 time, or a duration before `now`. */
export function parseSince(text: string, now: number): number {
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const t = Date.parse(text);
    if (Number.isNaN(t)) throw new ShoalError(ErrorCode.InvalidSpec, `--since ${text} is not a time; give RFC 3339 (2026-11-30T10:00:00Z) or a duration (10m)`);
    return t;
  }
  return now - parseDuration(text, '--since');
}

export function formatLogLine(service: string, l: LogLine, opts: LogFlags): string {
  if (opts.json) return JSON.stringify(l);
  const who = `${service}.${l.slot ? l.slot : l.task.slice(0, 12)}@${l.node}`;
  return `${opts.timestamps ? `${new Date(l.ts).toISOString()} ` : ''}${who} | ${l.line}`;
}

/** Prints a service's lines (or one task's, with `onlyTask`) until the stream ends or Ctrl-C. */
export async function printLogs(client: ShoalClient, ctx: CliContext, service: string, opts: LogFlags, onlyTask?: string): Promise<void> {
  const since = opts.since === undefined ? undefined : parseSince(opts.since, ctx.now());
  const tail = opts.tail === undefined ? undefined : parseInteger(opts.tail, '--tail');
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  try {
    for await (const l of client.serviceLogs(service, { follow: opts.follow ?? false, tail, signal: abort.signal })) {
      if (onlyTask !== undefined && l.task !== onlyTask) continue;
      if (since !== undefined && l.ts < since) continue;
      ctx.output.out(formatLogLine(service, l, opts));
    }
  } finally {
    process.off('SIGINT', stop);
  }
}
