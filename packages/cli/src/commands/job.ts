/**
 * `shoal job run|ls|inspect|rm`: run-to-completion work. A job is a service
 * in mode replicated-job or global-job (Swarm's job modes), so `service ps`
 * and `service logs` work on it too.
 */
import { Command } from 'commander';
import { ErrorCode, ShoalError, isJobMode, type Service, type ServiceSpec } from '@shoal/types';
import type { ShoalClient } from '@shoal/api';
import { applyServiceFlags, parseInteger, type ServiceFlags } from '../spec-flags.js';
import { json, shortId, table } from '../output.js';
import { jobRuns, runLine, type JobRunSummary } from '../job-runs.js';
import { clientOf, followOptions, timeoutOf, type CliContext } from './context.js';
import { specOptions } from './service.js';

interface JobFlags extends ServiceFlags {
  completions?: string;
  parallelism?: string;
  global?: boolean;
  schedule?: string;
  detach?: boolean;
  timeout?: string;
  json?: boolean;
}

function bad(message: string): ShoalError {
  return new ShoalError(ErrorCode.InvalidSpec, message);
}

/** The job spec from the flags, over the current spec when the job exists (a re-run). */
export function jobSpec(base: ServiceSpec, f: JobFlags, command: string[], env: NodeJS.ProcessEnv): ServiceSpec {
  if (f.replicas !== undefined || f.mode !== undefined) throw bad('a job takes --completions/--parallelism or --global, not --replicas/--mode');
  const spec = applyServiceFlags(base, f, command, env);
  const global = f.global ?? spec.mode === 'global-job';
  spec.mode = global ? 'global-job' : 'replicated-job';
  const job = { ...spec.job };
  if (global && (f.completions !== undefined || f.parallelism !== undefined)) throw bad('--global runs one task per node: --completions and --parallelism do not apply');
  if (f.completions !== undefined) job.completions = parseInteger(f.completions, '--completions', 1);
  if (f.parallelism !== undefined) job.parallelism = parseInteger(f.parallelism, '--parallelism', 1);
  if (f.schedule !== undefined) {
    if (f.schedule === '') delete job.schedule;
    else job.schedule = f.schedule;
  }
  if (Object.keys(job).length > 0) spec.job = job;
  else delete spec.job;
  return spec;
}

async function waitForRun(client: ShoalClient, ctx: CliContext, name: string, timeoutMs: number): Promise<JobRunSummary> {
  const deadline = ctx.now() + timeoutMs;
  let last = '';
  for (;;) {
    const service = await client.getService(name);
    const runs = jobRuns(service, await client.listTasks({ service: name, all: true }));
    const run = runs.find((r) => r.run === service.job?.iteration);
    if (run) {
      const line = runLine(name, run);
      if (line !== last) ctx.output.err(line);
      last = line;
      if (run.finished) return run;
    }
    if (ctx.now() >= deadline) throw new ShoalError(ErrorCode.Timeout, `${last || `${name}: run not started`} after ${Math.round(timeoutMs / 1000)} s; follow it with \`shoal job inspect ${name}\``);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function jobsTable(jobs: Service[], runs: Map<string, JobRunSummary | undefined>): string {
  return table(
    ['ID', 'NAME', 'MODE', 'SCHEDULE', 'RUN', 'STATUS', 'STARTED'],
    jobs.map((s) => {
      const r = runs.get(s.id);
      const status = r ? `${r.finished ? (r.givenUp > 0 ? 'failed' : 'done') : 'running'} ${r.completed}/${r.wanted}` : 'waiting';
      const started = s.job && s.job.iteration > 0 ? new Date(s.job.startedAt).toISOString().replace('T', ' ').slice(0, 19) : '-';
      return [shortId(s.id), s.spec.name, s.spec.mode ?? '', s.spec.job?.schedule ?? '-', s.job?.iteration ?? 0, status, started];
    }),
  );
}

export function jobCommand(ctx: CliContext): Command {
  const job = new Command('job').description('run-to-completion work: once, on every node, or on a cron schedule');

  specOptions(followOptions(job.command('run')))
    .description('run a job (again, with the given changes, if it exists); everything after -- is the command')
    .argument('<name>', 'job name')
    .argument('[command...]', 'command and arguments (after --)')
    .option('--completions <n>', 'tasks that must exit 0 for the run to complete (default 1)')
    .option('--parallelism <n>', 'most tasks running at once (default 1)')
    .option('--global', 'run one task on every eligible node instead')
    .option('--schedule <cron>', "start a run at each tick of this cron schedule (UTC), e.g. '*/15 * * * *'; '' removes it")
    .option('--json', 'print the job as JSON')
    .action(async (name: string, command: string[], opts: JobFlags, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      const existing = await client.getService(name).catch((err: unknown) => {
        if ((err as ShoalError).code === ErrorCode.NotFound) return undefined;
        throw err;
      });
      if (existing && !isJobMode(existing.spec.mode)) throw new ShoalError(ErrorCode.Conflict, `${name} is a ${existing.spec.mode ?? 'replicated'} service, not a job; pick another name`);
      const spec = jobSpec(existing?.spec ?? { name }, opts, command, ctx.env);
      const svc = existing ? await client.updateService(name, spec) : await client.createService(spec);
      if (opts.detach || spec.job?.schedule) {
        ctx.output.out(opts.json ? json(await client.getService(name)) : `${name} ${spec.job?.schedule ? `scheduled (${spec.job.schedule}, UTC)` : `run ${svc.job?.iteration ?? 1} started`}`);
        return;
      }
      const run = await waitForRun(client, ctx, name, timeoutOf(opts));
      if (opts.json) ctx.output.out(json(run));
      else ctx.output.out(runLine(name, run));
      if (run.givenUp > 0) throw new ShoalError(ErrorCode.Conflict, `${name}: ${run.givenUp} task(s) failed and will not be retried; see \`shoal job inspect ${name}\``);
    });

  job
    .command('ls')
    .description('list jobs with their current run')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      const jobs = (await client.listServices()).filter((s) => isJobMode(s.spec.mode)).sort((a, b) => a.spec.name.localeCompare(b.spec.name));
      if (opts.json) return ctx.output.out(json(jobs));
      const tasks = await client.listTasks({ all: true });
      const runs = new Map(jobs.map((s) => [s.id, jobRuns(s, tasks).find((r) => r.run === s.job?.iteration)]));
      ctx.output.out(jobsTable(jobs, runs));
    });

  job
    .command('inspect')
    .description('show jobs as JSON with their runs: each attempt, its node, state and exit code')
    .argument('<name...>')
    .option('--json', 'print JSON (the default for inspect)')
    .action(async (names: string[], _opts: unknown, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      const out = [];
      for (const n of names) {
        const s = await client.getService(n);
        if (!isJobMode(s.spec.mode)) throw new ShoalError(ErrorCode.NotFound, `${n} is a service, not a job; see \`shoal service inspect ${n}\``);
        out.push({ ...s, runs: jobRuns(s, await client.listTasks({ service: n, all: true })) });
      }
      ctx.output.out(json(out));
    });

  job
    .command('rm')
    .description('remove jobs and stop their tasks')
    .argument('<name...>')
    .action(async (names: string[], _opts: unknown, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      for (const n of names) {
        const s = await client.getService(n);
        if (!isJobMode(s.spec.mode)) throw new ShoalError(ErrorCode.Conflict, `${n} is a service, not a job; remove it with \`shoal service rm ${n}\``);
        await client.removeService(n);
        ctx.output.out(n);
      }
    });
  return job;
}
