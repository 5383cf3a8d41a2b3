/**
 * `shoal init` and `shoal join`: put a running agent that is in no cluster
 * yet into one, through its admin API.
 */
import { Command } from 'commander';
import { ErrorCode, ShoalError, hostPortOf } from '@shoal/types';
import { clientOf, type CliContext } from './context.js';
import { readJoinToken } from '../join-token-source.js';

export function initCommand(ctx: CliContext): Command {
  return new Command('init')
    .description('create a new cluster on a running agent that is in none, and print the join command')
    .option('--voters <n>', '1, 3 or 5 (default 3)', (v) => Number(v))
    .option('--allow-dangerous', 'allow privileged tasks and host access')
    .action(async (opts: { voters?: number; allowDangerous?: boolean }, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      await client.initCluster({ voters: opts.voters, allowDangerous: opts.allowDangerous });
      const status = await client.clusterStatus();
      const self = (await client.getNode(status.self.id)).addresses[0] ?? '<this node p2p host:port>';
      // The token carries the cluster key: it is not printed here (terminals get logged and shared); `cluster token show` reads it on purpose.
      ctx.output.out(
        `cluster ${status.clusterId} created; this node is its leader.\n` +
          `To add a node, save the join token (it carries the cluster key: keep it secret) with\n` +
          `  shoal cluster token show > join.token && chmod 600 join.token\n` +
          `copy it to the new machine and run there:\n` +
          `  shoal agent --join ${hostPortOf(self)} --join-token-file join.token\n`,
      );
    });
}

export function joinCommand(ctx: CliContext): Command {
  return new Command('join')
    .argument('<addr>')
    .description('make a running agent join the cluster of the node at ADDR (p2p host:port)')
    .option('--join-token-file <file>', 'file holding the join token; - reads standard input (env SHOAL_JOIN_TOKEN holds the token itself)')
    .option('--token <token>', 'the join token itself (visible to local users in the process list: prefer --join-token-file)')
    .action(async (addr: string, opts: { token?: string; joinTokenFile?: string }, cmd: Command) => {
      const token = readJoinToken(opts, ctx.env, (line) => ctx.output.err(line));
      if (token === undefined) throw new ShoalError(ErrorCode.BadConfig, 'shoal join needs the join token: --join-token-file FILE (or - for stdin) or SHOAL_JOIN_TOKEN; get it with `shoal cluster token show` on a member');
      const status = await clientOf(cmd, ctx).joinCluster(addr, token);
      ctx.output.out(`joined cluster ${status.clusterId} as ${status.self.role}; leader ${status.leader?.name ?? 'unknown'}\n`);
    });
}
