/**
 * `shoal init` and `shoal join`: put a running agent that is in no cluster
 * yet into one, through its admin API.
 */
import { Command } from 'commander';
import { hostPortOf } from '@shoal/types';
import { clientOf, type CliContext } from './context.js';

export function initCommand(ctx: CliContext): Command {
  return new Command('init')
    .description('create a new cluster on a running agent that is in none, and print the join command')
    .option('--voters <n>', '1, 3 or 5 (default 3)', (v) => Number(v))
    .option('--allow-dangerous', 'allow privileged tasks and host access')
    .action(async (opts: { voters?: number; allowDangerous?: boolean }, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      const { token } = await client.initCluster({ voters: opts.voters, allowDangerous: opts.allowDangerous });
      const status = await client.clusterStatus();
      const self = (await client.getNode(status.self.id)).addresses[0] ?? '<this node p2p host:port>';
      ctx.output.out(`cluster ${status.clusterId} created; this node is its leader.\nTo add a node, run on it:\n  shoal agent --join ${hostPortOf(self)} --token ${token}\n`);
    });
}

export function joinCommand(ctx: CliContext): Command {
  return new Command('join')
    .argument('<addr>')
    .description('make a running agent join the cluster of the node at ADDR (p2p host:port)')
    .requiredOption('--token <token>', 'join token')
    .action(async (addr: string, opts: { token: string }, cmd: Command) => {
      const status = await clientOf(cmd, ctx).joinCluster(addr, opts.token);
      ctx.output.out(`joined cluster ${status.clusterId} as ${status.self.role}; leader ${status.leader?.name ?? 'unknown'}\n`);
    });
}
