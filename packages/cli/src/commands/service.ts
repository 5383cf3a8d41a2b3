import { Command } from 'commander';
import { ErrorCode, ShoalError, type Service } from '@shoal/types';
import type { ShoalClient, UpdatePlan } from '@shoal/api';
import { applyServiceFlags, parseInteger, type ServiceFlags } from '../spec-flags.js';
import { fileOptions } from '../file-flags.js';
import { followService, type ChangeKind } from '../follow.js';
import { json, servicesTable, tasksTable } from '../output.js';
import { clientOf, collect, followOptions, timeoutOf, type CliContext } from './context.js';
import { printLogs, type LogFlags } from './log-lines.js';
import { withRecentFailures } from './recent-failures.js';
import { serviceHistoryCommand } from './service-history.js';
import { rebalanceCommand } from './rebalance.js';

type FollowFlags = { detach?: boolean; timeout?: string; json?: boolean };

/** The spec flags shared by create and update (and `job run`). */
export function specOptions(cmd: Command): Command {
  return fileOptions(cmd)
    .option('--image <image>', 'container image (docker driver)')
    .option('--replicas <n>', 'number of tasks (replicated mode)')
    .option('--mode <mode>', 'replicated (default) or global (one task per node)')
    .option('--driver <driver>', 'docker (default) or exec (plain processes)')
    .option('-p, --publish <published:target[/udp][,mode=host]>', 'publish a port: on every node through the routing mesh (ingress, default) or only where a task runs (mode=host); repeatable', collect)
    .option('--network <name[:alias,...]>', 'join a network (created on first use), with extra DNS names; repeatable; none = the cluster network "default"', collect)
    .option('--endpoint-mode <vip|dnsrr>', 'the name resolves to one virtual IP (vip, default) or to the healthy tasks (dnsrr)')
    .option('--priority <n>', 'higher stays longer: on a node under memory or CPU pressure, lower-priority tasks move away first (0-1000, default 0)')
    .option('--rebalance <manual|auto>', 'auto: the leader evens out the tasks when nodes join or return (rate-limited); manual (default): on `service rebalance`')
    .option('-e, --env <KEY=VALUE>', 'environment variable (repeatable)', collect)
    .option('--label <key=value>', 'service label (repeatable)', collect)
    .option('--constraint <expr>', "placement constraint, e.g. 'node.labels.zone==a' (repeatable)", collect)
    .option('--placement-pref <pref>', 'placement preference, e.g. spread=node.labels.zone (repeatable)', collect)
    .option('--reserve-cpu <cpus>', 'CPUs reserved per task, e.g. 0.5')
    .option('--reserve-memory <size>', 'memory reserved per task, e.g. 256M')
    .option('--limit-cpu <cpus>', 'CPU limit per task')
    .option('--limit-memory <size>', 'memory limit per task, e.g. 1G')
    .option('--update-parallelism <n>', 'tasks updated at once (0 = all)')
    .option('--update-delay <duration>', 'pause between update batches, e.g. 10s')
    .option('--update-failure-action <action>', 'pause, rollback or continue')
    .option('--update-monitor <duration>', 'how long an updated task is watched for failure')
    .option('--update-order <order>', 'stop-first or start-first')
    .option('--canary <n>', 'updates first start N new tasks beside the old ones and wait for `service promote` (0 = off)')
    .option('--auto-promote', 'promote the canaries once all stay healthy for the update monitor period')
    .option('--no-auto-promote', 'wait for `service promote`')
    .option('--restart-condition <cond>', 'none, on-failure or any')
    .option('--restart-max-attempts <n>', 'restarts before giving up (0 = unlimited)')
    .option('--restart-delay <duration>', 'wait before the first restart; doubles per restart in a row (default 5s)')
    .option('--restart-max-delay <duration>', 'cap of the doubling restart delay (default 5m)')
    .option('--health-cmd <cmd>', 'health check command, run with /bin/sh -c')
    .option('--health-interval <duration>', 'time between health checks')
    .option('--health-timeout <duration>', 'time a health check may take')
    .option('--health-retries <n>', 'consecutive failures before unhealthy')
    .option('--stop-grace-period <duration>', 'time between the stop signal and a kill, e.g. 10s')
    .option('--entrypoint <cmd>', 'override the image entrypoint (docker)')
    .option('-w, --workdir <dir>', 'working directory')
    .option('--history-limit <n>', 'versions kept for `service history` and `rollback --to` (default 10)');
}

async function follow(client: ShoalClient, ctx: CliContext, name: string, kind: ChangeKind, opts: FollowFlags, verb: string): Promise<void> {
  if (opts.detach) {
    if (opts.json) ctx.output.out(json(await client.getService(name)));
    else ctx.output.out(`${name} ${verb}`);
    return;
  }
  const p = await followService(client, name, { kind, timeoutMs: timeoutOf(opts), output: ctx.output });
  if (opts.json) ctx.output.out(json(await client.getService(name)));
  else ctx.output.out(p.note !== undefined ? `${name}: ${p.note}` : `${name} ${verb}: ${p.running}/${p.desired} tasks running`);
}

export function planText(plan: UpdatePlan): string {
  const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));
  const lines = [`${plan.service}: version ${plan.currentVersion} -> ${plan.nextVersion} (dry run, nothing changed)`];
  if (plan.changes.length === 0) lines.push('  no change to the spec');
  for (const c of plan.changes) lines.push(`  ${c.path}: ${show(c.from)} -> ${show(c.to)}`);
  lines.push(`  tasks: ${plan.replace} replaced, ${plan.create} created, ${plan.remove} removed`);
  for (const n of plan.notes) lines.push(`  ${n}`);
  return lines.join('\n');
}

export function serviceCommand(ctx: CliContext): Command {
  const service = new Command('service').description('create and manage services');

  specOptions(followOptions(service.command('create')))
    .description('create a service; everything after -- is the command and its arguments')
    .argument('<name>', 'service name')
    .argument('[command...]', 'command and arguments (after --)')
    .option('--json', 'print the service as JSON')
    .action(async (name: string, command: string[], opts: ServiceFlags & FollowFlags, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      const spec = applyServiceFlags({ name }, opts, command, ctx.env);
      await client.createService(spec);
      await follow(client, ctx, name, 'deploy', opts, 'created');
    });

  specOptions(followOptions(service.command('update')))
    .description('change a service (rolling update); lists given replace, -e/--label merge')
    .argument('<name>', 'service name')
    .argument('[command...]', 'new command and arguments (after --)')
    .option('--dry-run', 'show what would change, change nothing')
    .option('--json', 'print the service (or the plan) as JSON')
    .action(async (name: string, command: string[], opts: ServiceFlags & FollowFlags & { dryRun?: boolean }, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      const current = await client.getService(name);
      const spec = applyServiceFlags(current.spec, opts, command, ctx.env);
      if (opts.dryRun) {
        const plan = await client.planServiceUpdate(name, spec);
        ctx.output.out(opts.json ? json(plan) : planText(plan));
        return;
      }
      await client.updateService(name, spec);
      await follow(client, ctx, name, 'deploy', opts, 'updated');
    });

  followOptions(service.command('scale'))
    .description('set replica counts, e.g. shoal service scale web=5 api=2')
    .argument('<name=replicas...>')
    .option('--json', 'print the services as JSON')
    .action(async (pairs: string[], opts: FollowFlags, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      const targets = pairs.map((pair) => {
        const m = /^([^=]+)=(.*)$/.exec(pair);
        if (!m) throw new ShoalError(ErrorCode.InvalidSpec, `"${pair}" must be NAME=REPLICAS, e.g. web=5`);
        return { name: m[1], replicas: parseInteger(m[2], `replicas of ${m[1]}`) };
      });
      for (const t of targets) await client.scaleService(t.name, t.replicas);
      for (const t of targets) await follow(client, ctx, t.name, 'scale', opts, `scaled to ${t.replicas}`);
    });

  followOptions(service.command('rollback'))
    .description('go back to the previous spec, or with --to to any kept version (see `service history`)')
    .argument('<name>')
    .option('--to <version>', 'the kept version to restore')
    .option('--json', 'print the service as JSON')
    .action(async (name: string, opts: FollowFlags & { to?: string }, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      const toVersion = opts.to !== undefined ? parseInteger(opts.to, '--to') : undefined;
      await client.rollbackService(name, toVersion !== undefined ? { toVersion } : {});
      await follow(client, ctx, name, 'rollback', opts, toVersion !== undefined ? `rolled back to version ${toVersion}` : 'rolled back');
    });

  followOptions(service.command('promote'))
    .description("promote an update's canaries: the rolling update replaces the remaining old tasks")
    .argument('<name>')
    .option('--json', 'print the service as JSON')
    .action(async (name: string, opts: FollowFlags, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      await client.promoteService(name);
      await follow(client, ctx, name, 'deploy', opts, 'updated');
    });

  service.addCommand(serviceHistoryCommand(ctx));
  rebalanceCommand(service, ctx);

  service
    .command('ls')
    .description('list services')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      const [services, tasks] = await Promise.all([client.listServices(), client.listTasks({})]);
      ctx.output.out(opts.json ? json(services) : servicesTable(sortByName(services), tasks));
    });

  service
    .command('ps')
    .description("list a service's tasks")
    .argument('<name...>')
    .option('-a, --all', 'include every finished task, not only the last failure of each slot')
    .option('--json', 'print JSON')
    .action(async (names: string[], opts: { json?: boolean; all?: boolean }, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      const every = (await Promise.all(names.map((service) => client.listTasks({ service, all: true })))).flat();
      const tasks = opts.all ? every : withRecentFailures(every);
      if (opts.json) return ctx.output.out(json(tasks));
      ctx.output.out(tasksTable(tasks, await client.listNodes(), ctx.now()));
    });

  service
    .command('inspect')
    .description('show services as JSON, with their virtual IP and serving endpoints')
    .argument('<name...>')
    .option('--json', 'print JSON (the default for inspect)')
    .action(async (names: string[], _opts: unknown, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      const withEndpoints = async (n: string) => {
        const s = await client.getService(n);
        // An agent without service networking routes answers 404 here: show the service alone.
        const ep = await client.serviceEndpoints(n).catch(() => null);
        return ep ? { ...s, endpoints: ep.endpoints } : s;
      };
      ctx.output.out(json(await Promise.all(names.map(withEndpoints))));
    });

  service
    .command('rm')
    .description('remove services and stop their tasks')
    .argument('<name...>')
    .action(async (names: string[], _opts: unknown, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      for (const n of names) {
        await client.removeService(n);
        ctx.output.out(n);
      }
    });

  service
    .command('logs')
    .description("print every task's output, prefixed name.slot@node")
    .argument('<name>')
    .option('-f, --follow', 'keep printing new lines')
    .option('--tail <n>', 'only the last N lines of each task')
    .option('--since <when>', 'only lines since a time (RFC 3339) or a duration ago (10m, 1h30m)')
    .option('-t, --timestamps', 'prefix each line with its time')
    .option('--json', 'print NDJSON lines')
    .action(async (name: string, opts: LogFlags, cmd: Command) => {
      await printLogs(clientOf(cmd, ctx), ctx, name, opts);
    });

  return service;
}

function sortByName(services: Service[]): Service[] {
  return [...services].sort((a, b) => a.spec.name.localeCompare(b.spec.name));
}
