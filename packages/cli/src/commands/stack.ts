import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { ErrorCode, ShoalError, type Service } from '@shoal/types';
import { composeToSpecs } from '../compose/index.js';
import { followService } from '../follow.js';
import { json, servicesTable, table, tasksTable } from '../output.js';
import { deployStack } from '../stack/deploy.js';
import { stackOf } from '../stack/plan.js';
import { clientOf, followOptions, timeoutOf, type CliContext } from './context.js';
import { createStackFiles, withRegistryAuth } from './stack-files.js';

function stackServices(services: Service[], stack: string): Service[] {
  return services.filter((s) => stackOf(s) === stack).sort((a, b) => a.spec.name.localeCompare(b.spec.name));
}

function mustExist(services: Service[], stack: string): Service[] {
  if (services.length === 0) throw new ShoalError(ErrorCode.NotFound, `stack ${stack} has no services; list stacks with \`shoal stack ls\``);
  return services;
}

export function stackCommand(ctx: CliContext): Command {
  const stack = new Command('stack').description('deploy and manage Compose applications (services labelled shoal.stack=<stack>)');

  followOptions(stack.command('deploy'))
    .description('create or update the services of a Compose file, named <stack>_<service>; services the file no longer has are removed')
    .requiredOption('-c, --compose-file <file>', 'Compose file (YAML); its .env is read from the same directory')
    .option('--prune', 'remove services of the stack that the file no longer has (the default)')
    .option('--no-prune', 'keep services of the stack that the file no longer has')
    .option('--with-registry-auth', 'services whose image registry has credentials from `shoal registry login` use them')
    .argument('<stack>', 'stack name')
    .action(async (name: string, opts: { composeFile: string; prune?: boolean; detach?: boolean; timeout?: string; withRegistryAuth?: boolean }, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      let text: string;
      try {
        text = readFileSync(opts.composeFile, 'utf8');
      } catch (err) {
        throw new ShoalError(ErrorCode.BadConfig, `cannot read ${opts.composeFile}: ${(err as Error).message}`);
      }
      const compose = composeToSpecs(text, name, { dir: dirname(resolve(opts.composeFile)), env: ctx.env });
      for (const w of compose.warnings) ctx.output.err(`Warning: ${w}`);
      await createStackFiles(client, name, compose.files, ctx);
      if (opts.withRegistryAuth) await withRegistryAuth(client, compose.specs);
      const timeoutMs = timeoutOf(opts);
      const { plan } = await deployStack(client, name, compose, { prune: opts.prune !== false, dependencyTimeoutMs: timeoutMs, say: (l) => ctx.output.out(l) });
      if (opts.detach) return;
      for (const spec of [...plan.create, ...plan.update]) {
        const p = await followService(client, spec.name, { kind: 'deploy', timeoutMs, output: ctx.output });
        ctx.output.out(`${spec.name}: ${p.running}/${p.desired} tasks running`);
      }
    });

  stack
    .command('ls')
    .description('list stacks')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      const [services, tasks] = await Promise.all([client.listServices(), client.listTasks({})]);
      const stacks = [...new Set(services.map(stackOf).filter((s): s is string => s !== undefined))].sort();
      const rows = stacks.map((s) => {
        const mine = stackServices(services, s);
        const ids = new Set(mine.map((m) => m.id));
        const running = tasks.filter((t) => ids.has(t.serviceId) && t.status.state === 'running').length;
        return { name: s, services: mine.length, tasksRunning: running };
      });
      ctx.output.out(opts.json ? json(rows) : table(['NAME', 'SERVICES', 'TASKS RUNNING'], rows.map((r) => [r.name, r.services, r.tasksRunning])));
    });

  stack
    .command('services')
    .description("list a stack's services")
    .argument('<stack>')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      const [services, tasks] = await Promise.all([client.listServices(), client.listTasks({})]);
      const mine = mustExist(stackServices(services, name), name);
      ctx.output.out(opts.json ? json(mine) : servicesTable(mine, tasks));
    });

  stack
    .command('ps')
    .description("list a stack's tasks")
    .argument('<stack>')
    .option('-a, --all', 'include finished tasks')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean; all?: boolean }, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      const mine = mustExist(stackServices(await client.listServices(), name), name);
      const tasks = (await Promise.all(mine.map((s) => client.listTasks({ service: s.spec.name, all: opts.all ?? false })))).flat();
      if (opts.json) return ctx.output.out(json(tasks));
      ctx.output.out(tasksTable(tasks, await client.listNodes(), ctx.now()));
    });

  stack
    .command('rm')
    .description("remove a stack's services and stop their tasks")
    .argument('<stack...>')
    .action(async (names: string[], _opts: unknown, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      const services = await client.listServices();
      for (const name of names) {
        for (const s of mustExist(stackServices(services, name), name)) {
          await client.removeService(s.spec.name);
          ctx.output.out(`removed ${s.spec.name}`);
        }
      }
    });
  return stack;
}
