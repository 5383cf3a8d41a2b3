import { Command } from 'commander';
import { parseDuration } from '../units.js';
import { ErrorCode, ShoalError, type NodeAvailability } from '@shoal/types';
import { parseKeyValues } from '../spec-flags.js';
import { json, nodesTable } from '../output.js';
import { clientOf, collect, type CliContext } from './context.js';
import { confirmDrain } from './drain-check.js';

export function nodeCommand(ctx: CliContext): Command {
  const node = new Command('node').description('list and manage nodes');

  node
    .command('ls')
    .description('list nodes')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      const nodes = await client.listNodes();
      if (opts.json) return ctx.output.out(json(nodes));
      // Without quorum there may be no leader; the list is still worth showing.
      const leader = await client.clusterStatus().then((s) => s.leader?.id, () => undefined);
      ctx.output.out(nodesTable([...nodes].sort((a, b) => a.name.localeCompare(b.name)), leader));
    });

  node
    .command('inspect')
    .description('show nodes as JSON')
    .argument('<node...>', 'node ids or names')
    .option('--json', 'print JSON (the default for inspect)')
    .action(async (ids: string[], _opts: unknown, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      ctx.output.out(json(await Promise.all(ids.map((id) => client.getNode(id)))));
    });

  node
    .command('update')
    .description('change a node at runtime: labels (kept across agent restarts) and availability')
    .argument('<node>', 'node id or name')
    .option('--label-add <key=value>', 'add or change a label (repeatable)', collect)
    .option('--label-rm <key>', 'remove a label (repeatable)', collect)
    .option('--availability <active|pause|drain>', 'set availability')
    .action(async (id: string, opts: { labelAdd?: string[]; labelRm?: string[]; availability?: string }, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      if (!opts.labelAdd?.length && !opts.labelRm?.length && !opts.availability) {
        throw new ShoalError(ErrorCode.InvalidSpec, 'nothing to update: give --label-add k=v, --label-rm k or --availability');
      }
      let n = await client.getNode(id);
      if (opts.labelAdd?.length || opts.labelRm?.length) {
        n = await client.updateNodeLabels(id, { add: parseKeyValues(opts.labelAdd ?? [], '--label-add'), remove: opts.labelRm ?? [] });
      }
      if (opts.availability) {
        if (!['active', 'pause', 'drain'].includes(opts.availability)) throw new ShoalError(ErrorCode.InvalidSpec, `--availability must be active, pause or drain, not ${opts.availability}`);
        n = await client.setNodeAvailability(id, opts.availability as NodeAvailability);
      }
      const labels = Object.entries(n.labels).map(([k, v]) => `${k}=${v}`).join(',');
      ctx.output.out(`${n.name} ${n.availability}${labels ? ` ${labels}` : ''}`);
    });

  const availability = (name: string, value: NodeAvailability, description: string) =>
    node
      .command(name)
      .description(description)
      .argument('<node...>', 'node ids or names')
      .option('-y, --yes', 'drain: do not ask before moving tasks away from their volume data')
      .action(async (ids: string[], opts: { deadline?: string; yes?: boolean }, cmd: Command) => {
        const client = clientOf(cmd, ctx);
        const deadlineMs = opts.deadline !== undefined ? parseDuration(opts.deadline, '--deadline') : undefined;
        for (const id of ids) {
          if (value === 'drain') await confirmDrain(client, id, ctx, opts.yes ?? false);
          const n = await client.setNodeAvailability(id, value, deadlineMs !== undefined ? { deadlineMs } : {});
          ctx.output.out(`${n.name} ${value}${deadlineMs !== undefined ? ` (tasks not moved by ${new Date(n.drainDeadline ?? ctx.now() + deadlineMs).toISOString()} are stopped)` : ''}`);
        }
      });
  availability('drain', 'drain', 'move tasks away and place no new ones; with --deadline, start each replacement before stopping the task').option(
    '--deadline <duration>',
    'move tasks start-first (no capacity lost) and stop those not moved after this long, e.g. 5m',
  );
  availability('pause', 'pause', 'place no new tasks; keep the running ones');
  availability('activate', 'active', 'place tasks on the node again');

  node
    .command('rm')
    .description('remove nodes from the cluster (their ids are never re-admitted)')
    .argument('<node...>', 'node ids or names')
    .option('-f, --force', 'remove even if the node is still up')
    .action(async (ids: string[], opts: { force?: boolean }, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      for (const id of ids) {
        await client.removeNode(id, { force: opts.force ?? false });
        ctx.output.out(id);
      }
    });
  return node;
}
