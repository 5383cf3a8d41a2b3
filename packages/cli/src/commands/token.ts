/** `shoal token create|ls|revoke`: cluster API tokens with roles, valid on every node. */
import { Command, Option } from 'commander';
import { API_ROLES, type ApiRole } from '@shoal/types';
import { json, table } from '../output.js';
import { clientOf, type CliContext } from './context.js';

export function tokenCommand(ctx: CliContext): Command {
  const token = new Command('token').description('cluster API tokens: read-only, operator (services) or admin (nodes, cluster, tokens); valid on every node');

  token
    .command('create')
    .description('create a token and print it: it is shown this once (only its hash is kept)')
    .argument('<name>', 'unique name, shown in the audit trail (lower-case letters, digits, - _ .)')
    .addOption(new Option('--role <role>', 'what the token may do').choices([...API_ROLES]).makeOptionMandatory())
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { role: ApiRole; json?: boolean }, cmd: Command) => {
      const t = await clientOf(cmd, ctx).createApiToken(name, opts.role);
      if (opts.json) return ctx.output.out(json(t));
      ctx.output.out(t.token);
      ctx.output.err(`token ${t.name} (${t.role}) created; it is not shown again: use it with SHOAL_TOKEN or --token-file on any node`);
    });

  token
    .command('ls')
    .description('list tokens: name, role, when and by whom created (never the secrets)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const tokens = await clientOf(cmd, ctx).listApiTokens();
      if (opts.json) return ctx.output.out(json(tokens));
      ctx.output.out(table(['NAME', 'ROLE', 'CREATED', 'BY', 'ID'], tokens.map((t) => [t.name, t.role, new Date(t.createdAt).toISOString(), t.createdBy ?? '', t.id])));
    });

  token
    .command('revoke')
    .description('revoke tokens by name or id: every node refuses them once the change is applied')
    .argument('<name...>')
    .action(async (names: string[], _opts: unknown, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      for (const n of names) {
        await client.revokeApiToken(n);
        ctx.output.out(n);
      }
    });
  return token;
}
