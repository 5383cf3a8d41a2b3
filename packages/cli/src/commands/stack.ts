import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { ErrorCode, ShoalError, isShoalError } from '@shoal/types';
import { dirname, resolve } from 'node:path';
import { composeToSpecs } from '../compose/index.js';
import { createStackFiles, withRegistryAuth } from './stack-files.js';
import { followService } from '../follow.js';
import { clientOf, followOptions, timeoutOf, type CliContext } from './context.js';

export function stackCommand(ctx: CliContext): Command {
  const stack = new Command('stack').description('deploy Compose files');

  followOptions(stack.command('deploy'))
    .description('create or update the services of a Compose v3 file, named <stack>_<service>')
    .requiredOption('-c, --compose-file <file>', 'Compose file (YAML)')
    .argument('<stack>', 'stack name')
    .option('--with-registry-auth', 'services whose image registry has credentials from `shoal registry login` use them')
    .action(async (name: string, opts: { composeFile: string; detach?: boolean; timeout?: string; withRegistryAuth?: boolean }, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      let text: string;
      try {
        text = readFileSync(opts.composeFile, 'utf8');
      } catch (err) {
        throw new ShoalError(ErrorCode.BadConfig, `cannot read ${opts.composeFile}: ${(err as Error).message}`);
      }
      const { specs, warnings, files } = composeToSpecs(text, name, { dir: dirname(resolve(opts.composeFile)) });
      for (const w of warnings) ctx.output.err(`Warning: ${w}`);
      await createStackFiles(client, name, files, ctx);
      if (opts.withRegistryAuth) await withRegistryAuth(client, specs);
      const existing = new Set((await client.listServices()).map((s) => s.spec.name));
      for (const spec of specs) {
        try {
          if (existing.has(spec.name)) await client.updateService(spec.name, spec);
          else await client.createService(spec);
        } catch (err) {
          if (isShoalError(err)) throw new ShoalError(err.code, `${spec.name}: ${err.message}`, err.details);
          throw err;
        }
        ctx.output.out(`${existing.has(spec.name) ? 'updated' : 'created'} ${spec.name}`);
      }
      if (opts.detach) return;
      for (const spec of specs) {
        const p = await followService(client, spec.name, { kind: 'deploy', timeoutMs: timeoutOf(opts), output: ctx.output });
        ctx.output.out(`${spec.name}: ${p.running}/${p.desired} tasks running`);
      }
    });
  return stack;
}
