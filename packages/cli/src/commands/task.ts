import { Command } from 'commander';
import { json, table } from '../output.js';
import { clientOf, type CliContext } from './context.js';

/** `shoal task explain ID`: why a task is (or is not) where it is, node by node. */
export function taskCommand(ctx: CliContext): Command {
  const task = new Command('task').description('inspect tasks');
  task
    .command('explain')
    .description('show why a task is placed where it is, or why it is pending, node by node')
    .argument('<task>', 'task id (or a unique prefix)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      const ex = await client.explainTask(id);
      if (opts.json) return ctx.output.out(json(ex));
      ctx.output.out(`${ex.task.serviceName}.${ex.task.slot} (${ex.task.id}): ${ex.summary}`);
      ctx.output.out(
        table(
          ['NODE', 'FITS', 'WHY NOT'],
          ex.nodes.map((n) => [n.nodeName, n.feasible ? 'yes' : 'no', n.reasons.join('; ')]),
        ),
      );
    });
  return task;
}
