import { Command } from 'commander';
import { json, table } from '../output.js';
import { clientOf, type CliContext } from './context.js';

export function networkCommand(ctx: CliContext): Command {
  const network = new Command('network').description('service networks: names, virtual IPs, per-node subnets');

  network
    .command('ls')
    .description('list networks')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const nets = await clientOf(cmd, ctx).listNetworks();
      if (opts.json) return ctx.output.out(json(nets));
      const rows = [...nets]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((n) => [n.name, n.explicit ? 'explicit' : 'auto', String(n.services.length), String(n.tasks.length), String(Object.keys(n.subnets).length)]);
      ctx.output.out(table(['NAME', 'CREATED', 'SERVICES', 'ENDPOINTS', 'NODES'], rows));
    });

  network
    .command('inspect')
    .description('show networks as JSON: subnets per node, services with their VIPs and aliases, task addresses')
    .argument('<name...>')
    .action(async (names: string[], _opts: unknown, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      ctx.output.out(json(await Promise.all(names.map((n) => client.getNetwork(n)))));
    });

  network
    .command('create')
    .description('create a network that stays until `shoal network rm` (services otherwise create theirs on first use)')
    .argument('<name>')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      await clientOf(cmd, ctx).createNetwork(name);
      ctx.output.out(name);
    });

  network
    .command('rm')
    .description('remove networks no service uses')
    .argument('<name...>')
    .action(async (names: string[], _opts: unknown, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      for (const n of names) {
        await client.removeNetwork(n);
        ctx.output.out(n);
      }
    });
  return network;
}
