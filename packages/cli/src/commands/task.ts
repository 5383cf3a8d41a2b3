import { Command } from 'commander';
import { json, table } from '../output.js';
import { clientOf, type CliContext } from './context.js';
import { printLogs, type LogFlags } from './log-lines.js';

/** `shoal task explain|inspect|logs|stop|restart ID`: one task, by id or unique prefix. */
export function taskCommand(ctx: CliContext): Command {
  const task = new Command('task').description('inspect and manage single tasks');
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

  task
    .command('inspect')
    .description('show tasks as JSON: spec, node, desired and observed state, errors, restart history')
    .argument('<task...>', 'task ids (or unique prefixes)')
    .option('--json', 'print JSON (the default for inspect)')
    .action(async (ids: string[], _opts: unknown, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      ctx.output.out(json(await Promise.all(ids.map((id) => client.getTask(id)))));
    });

  task
    .command('logs')
    .description("print one task's output")
    .argument('<task>', 'task id (or a unique prefix)')
    .option('-f, --follow', 'keep printing new lines')
    .option('--tail <n>', 'only the last N lines')
    .option('--since <when>', 'only lines since a time (RFC 3339) or a duration ago (10m)')
    .option('-t, --timestamps', 'prefix each line with its time')
    .option('--json', 'print NDJSON lines')
    .action(async (id: string, opts: LogFlags, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      const t = await client.getTask(id);
      await printLogs(client, ctx, t.serviceName, opts, t.id);
    });

  task
    .command('stop')
    .description('stop tasks; a service that still wants the slot starts a replacement (possibly elsewhere)')
    .argument('<task...>', 'task ids (or unique prefixes)')
    .action(async (ids: string[], _opts: unknown, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      for (const id of ids) {
        const t = await client.stopTask(id);
        ctx.output.out(`${t.serviceName}.${t.slot} (${t.id}) told to stop`);
      }
    });
  task
    .command('restart')
    .description('restart tasks in place: stop each and start a copy on the same node (it waits there for the old one\'s ports and memory)')
    .argument('<task...>', 'task ids (or unique prefixes)')
    .option('--json', 'print the new tasks as JSON')
    .action(async (ids: string[], opts: { json?: boolean }, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      const restarted = [];
      for (const id of ids) restarted.push(await client.restartTask(id));
      if (opts.json) return ctx.output.out(json(restarted));
      for (const t of restarted) ctx.output.out(`${t.serviceName}.${t.slot} restarting as ${t.id}`);
    });
  return task;
}
