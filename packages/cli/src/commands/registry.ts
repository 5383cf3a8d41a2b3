/**
 * `shoal registry login REGISTRY`: the password comes from standard input
 * (or a file), never from an argument; the credentials are stored as the
 * secret `registry-REGISTRY`, which only nodes that pull an image of a
 * service created with --with-registry-auth can open.
 */
import { Command } from 'commander';
import { ErrorCode, ShoalError } from '@shoal/types';
import { registrySecretName } from '../file-flags.js';
import { json } from '../output.js';
import { clientOf, type CliContext } from './context.js';
import { readValue } from './secret.js';

export function registryCommand(ctx: CliContext): Command {
  const registry = new Command('registry').description('credentials for private image registries');
  registry
    .command('login')
    .description('store credentials for REGISTRY (host[:port]) as a secret; the password is read from standard input')
    .argument('<registry>', 'registry host, e.g. registry.example.com:5000')
    .requiredOption('-u, --username <user>', 'user name')
    .option('--password-file <file>', 'read the password from this file instead of standard input', '-')
    .option('--json', 'print JSON')
    .action(async (host: string, opts: { username: string; passwordFile: string; json?: boolean }, cmd: Command) => {
      if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(host)) throw new ShoalError(ErrorCode.InvalidSpec, `"${host}" is not a registry host; give host[:port], e.g. registry.example.com:5000`);
      const password = readValue(ctx, opts.passwordFile, 'secret').toString('utf8').replace(/\r?\n$/, '');
      const auth = Buffer.from(JSON.stringify({ username: opts.username, password, serveraddress: host }));
      const name = registrySecretName(host);
      const client = clientOf(cmd, ctx);
      // Values are immutable: a new login replaces the secret when no service uses it.
      await client.removeSecret('secret', name).catch((err: ShoalError) => {
        if (err.code !== ErrorCode.NotFound) throw err;
      });
      const meta = await client.createSecret('secret', { name, data: auth.toString('base64'), labels: { 'shoal.registry': host } });
      auth.fill(0);
      ctx.output.out(opts.json ? json(meta) : `credentials for ${host} stored as secret ${name}; use them with \`shoal service create --with-registry-auth\``);
    });
  return registry;
}
