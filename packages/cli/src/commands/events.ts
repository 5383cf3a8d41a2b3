import { Command } from 'commander';
import type { AuditRecord } from '@shoal/api';
import { table } from '../output.js';
import { clientOf, type CliContext } from './context.js';

function auditRow(e: AuditRecord): string[] {
  return [new Date(e.at).toISOString(), String(e.index), e.by, e.type, e.subject, e.ok ? 'ok' : `refused: ${e.error ?? ''}`];
}

export function eventsCommand(ctx: CliContext): Command {
  return new Command('events')
    .description('print committed changes as they happen (Ctrl-C to stop); --audit: who changed what')
    .option('--json', 'print one JSON object per line')
    .option('--audit', 'print the audit trail instead (operator writes: who, what, when, result; admin only) and exit')
    .option('--limit <n>', 'with --audit: the last n entries (1-1000)', (v) => Number.parseInt(v, 10), 100)
    .action(async (opts: { json?: boolean; audit?: boolean; limit: number }, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      if (opts.audit) {
        const entries = await client.audit(opts.limit);
        if (opts.json) for (const e of entries) ctx.output.out(JSON.stringify(e));
        else ctx.output.out(table(['TIME', 'INDEX', 'BY', 'COMMAND', 'SUBJECT', 'RESULT'], entries.map(auditRow)));
        return;
      }
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      try {
        for await (const e of client.events(abort.signal)) {
          ctx.output.out(opts.json ? JSON.stringify(e) : `${new Date(e.at).toISOString()}  ${String(e.index).padStart(6)}  ${e.type.padEnd(18)} ${e.subject}  ${e.summary}`);
        }
      } finally {
        process.off('SIGINT', stop);
      }
    });
}
