/** `shoal service history NAME`: every kept version, who made it, and what it changed. */
import { Command } from 'commander';
import type { ServiceHistoryEntry } from '@shoal/api';
import { json, table } from '../output.js';
import { clientOf, type CliContext } from './context.js';

const show = (v: unknown) => (v === undefined || v === null ? '(unset)' : JSON.stringify(v));

/** One line per change, `path: from -> to`; long values are cut so the table stays readable. */
export function changesText(entry: ServiceHistoryEntry, width = 60): string {
  if (entry.changes.length === 0) return '-';
  return entry.changes
    .map((c) => {
      const line = `${c.path}: ${show(c.from)} -> ${show(c.to)}`;
      return line.length > width ? `${line.slice(0, width - 3)}...` : line;
    })
    .join('; ');
}

export function historyTable(entries: ServiceHistoryEntry[]): string {
  return table(
    ['VERSION', 'WHEN', 'BY', 'CHANGE', 'WHAT CHANGED'],
    entries.map((e) => [`${e.version}${e.current ? '*' : ''}`, new Date(e.at).toISOString().replace('T', ' ').slice(0, 19), e.by ?? '-', e.change, changesText(e)]),
  );
}

export function serviceHistoryCommand(ctx: CliContext): Command {
  return new Command('history')
    .description('list the kept versions of a service (newest last, * = current) with who changed what; restore one with `service rollback NAME --to VERSION`')
    .argument('<name>')
    .option('--json', 'print JSON, with each version\'s full spec')
    .action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      const entries = await clientOf(cmd, ctx).serviceHistory(name);
      ctx.output.out(opts.json ? json(entries) : historyTable(entries));
    });
}
