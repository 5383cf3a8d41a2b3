import { Command } from 'commander';
import { json, table } from '../output.js';
import { clientOf, type CliContext } from './context.js';

export function volumeCommand(ctx: CliContext): Command {
  const volume = new Command('volume').description('named volumes: scoped to their stack, created by the engine where a task runs');
  volume
    .command('ls')
    .description('named volumes per node, with the services and live tasks that use them')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const vols = await clientOf(cmd, ctx).listVolumes();
      ctx.output.out(opts.json ? json(vols) : table(['VOLUME', 'NODE', 'SERVICES', 'TASKS'], vols.map((v) => [v.name, v.nodeName, v.services.join(','), v.tasks.join('; ') || '-'])));
    });
  return volume;
}
