/** `shoal service rebalance NAME|--all [--dry-run]`: show, then carry out, the moves that even a service out. */
import type { Command } from 'commander';
import type { RebalanceReport } from '@shoal/api';
import { ErrorCode, ShoalError } from '@shoal/types';
import { json, table } from '../output.js';
import { clientOf, type CliContext } from './context.js';

function spread(s: Record<string, number>): string {
  return Object.entries(s).map(([n, c]) => `${n}=${c}`).join(' ') || '-';
}

function describe(r: RebalanceReport, dryRun: boolean): string {
  const head = `${r.service}: ${spread(r.before)}${r.moves.length > 0 ? ` -> ${spread(r.after)}` : ''}`;
  if (r.skipped) return `${head}\n  not now: ${r.skipped}`;
  if (r.moves.length === 0) return `${head}\n  already even: nothing to move`;
  const rows = r.moves.map((m) => [`${r.service}.${m.slot}`, m.taskId, m.from, m.to]);
  const verdict = dryRun
    ? `  ${r.moves.length} move(s) planned; run without --dry-run to carry them out`
    : `  ${r.moves.length} move(s) asked of the leader: each new task starts before the old one stops, in batches of the update parallelism (follow with \`shoal service ps ${r.service}\`)`;
  return `${head}\n${table(['SLOT', 'TASK', 'FROM', 'TO'], rows).replace(/^/gm, '  ')}\n${verdict}`;
}

export function rebalanceCommand(service: Command, ctx: CliContext): void {
  service
    .command('rebalance')
    .description('even out a service over the nodes it may run on (after nodes joined or came back)')
    .argument('[name]')
    .option('--all', 'every replicated service')
    .option('--dry-run', 'show the moves; change nothing')
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, opts: { all?: boolean; dryRun?: boolean; json?: boolean }, cmd: Command) => {
      if (!name && !opts.all) throw new ShoalError(ErrorCode.InvalidSpec, 'service rebalance needs a service name or --all');
      if (name && opts.all) throw new ShoalError(ErrorCode.InvalidSpec, 'give a service name or --all, not both');
      const client = clientOf(cmd, ctx);
      const names = name ? [name] : (await client.listServices()).filter((s) => (s.spec.mode ?? 'replicated') === 'replicated').map((s) => s.spec.name).sort();
      const reports: RebalanceReport[] = [];
      for (const n of names) reports.push(await client.rebalanceService(n, { dryRun: !!opts.dryRun }));
      ctx.output.out(opts.json ? json(reports) : reports.map((r) => describe(r, !!opts.dryRun)).join('\n') || 'no replicated services');
    });
}
