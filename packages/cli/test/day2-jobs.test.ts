import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startCli, cli } from './helpers.js';

const server = await startServer();
after(() => server.app.close());
const { env, backend } = server;

const runTasks = (name: string) => backend.tasks.filter((t) => t.serviceName === name && t.desiredState === 'running');
function complete(name: string, exitCode = 0): void {
  for (const t of runTasks(name)) t.status = exitCode === 0 ? { state: 'complete', timestamp: Date.now(), message: 'exited with code 0', exitCode: 0 } : { state: 'failed', timestamp: Date.now(), message: 'exit', error: `exit code ${exitCode}`, exitCode };
}

test('job run creates a replicated-job and follows its run until every completion exited 0', async () => {
  const run = startCli(['job', 'run', 'backup', '--driver', 'exec', '--completions', '3', '--parallelism', '3', '--', '/bin/true'], env);
  for (let i = 0; i < 100 && runTasks('backup').length < 3; i++) await new Promise((r) => setTimeout(r, 20));
  complete('backup');
  const res = await run.done;
  assert.equal(res.code, 0, res.err);
  assert.equal(res.out, 'backup: run 1: 3/3 completed');
  const spec = backend.services.get('backup')!.spec;
  assert.deepEqual([spec.mode, spec.job], ['replicated-job', { completions: 3, parallelism: 3 }]);
});

test('job ls and inspect show runs with exit codes', async () => {
  const ls = await cli(['job', 'ls'], env);
  assert.equal(ls.code, 0, ls.err);
  assert.match(ls.out.split('\n')[1], /backup\s+replicated-job\s+-\s+1\s+done 3\/3/);
  const inspected = JSON.parse((await cli(['job', 'inspect', 'backup'], env)).out);
  assert.equal(inspected[0].runs.length, 1);
  assert.deepEqual(inspected[0].runs[0].attempts.map((a: { exitCode: number }) => a.exitCode), [0, 0, 0]);
  assert.equal(inspected[0].runs[0].finished, true);
  const svcLs = await cli(['service', 'ls'], env);
  assert.match(svcLs.out, /backup\s+replicated-job\s+3\/3 completed/, 'service ls counts completions for a job');
});

test('job run --schedule stores the schedule and returns at once; nothing runs before the first tick', async () => {
  const res = await cli(['job', 'run', 'nightly', '--driver', 'exec', '--schedule', '0 3 * * *', '--', '/bin/true'], env);
  assert.equal(res.code, 0, res.err);
  assert.equal(res.out, 'nightly scheduled (0 3 * * *, UTC)');
  assert.equal(backend.services.get('nightly')!.spec.job?.schedule, '0 3 * * *');
  assert.equal(runTasks('nightly').length, 0, 'nothing runs before the first tick');
});

test('job run refuses --replicas, a service name, and global with completions', async () => {
  const rep = await cli(['job', 'run', 'x', '--driver', 'exec', '--replicas', '2', '--', '/bin/true'], env);
  assert.equal(rep.code, 1);
  assert.match(rep.err, /--completions\/--parallelism or --global, not --replicas/);
  assert.equal((await cli(['service', 'create', 'web', '--image', 'nginx', '--detach'], env)).code, 0);
  const svc = await cli(['job', 'run', 'web', '--driver', 'exec', '--', '/bin/true'], env);
  assert.equal(svc.code, 1);
  assert.match(svc.err, /web is a replicated service, not a job/);
  const glob = await cli(['job', 'run', 'g', '--global', '--completions', '2', '--driver', 'exec', '--', '/bin/true'], env);
  assert.equal(glob.code, 1);
  assert.match(glob.err, /--global runs one task per node/);
});

test('a job whose task fails and is not retried makes job run exit 1', async () => {
  const run = startCli(['job', 'run', 'once', '--driver', 'exec', '--restart-condition', 'none', '--', '/bin/false'], env);
  for (let i = 0; i < 100 && runTasks('once').length < 1; i++) await new Promise((r) => setTimeout(r, 20));
  complete('once', 2);
  const res = await run.done;
  assert.equal(res.code, 1);
  assert.match(res.err, /once: 1 task\(s\) failed and will not be retried/);
});

test('service update --canary stops following once the canaries run; promote finishes the update', async () => {
  assert.equal((await cli(['service', 'create', 'api', '--image', 'api:1', '--replicas', '2', '--detach'], env)).code, 0);
  const up = await cli(['service', 'update', 'api', '--image', 'api:2', '--canary', '1'], env);
  assert.equal(up.code, 0, up.err);
  assert.equal(up.out, 'api: 1 canary task(s) of version 2 running beside the old ones; promote with `shoal service promote api` or drop them with `shoal service rollback api`');
  assert.equal(runTasks('api').length, 3);
  const promoted = await cli(['service', 'promote', 'api', '--detach'], env);
  assert.equal(promoted.code, 0, promoted.err);
  assert.equal(backend.services.get('api')!.updateStatus?.canary, 'promoted');
  const again = await cli(['service', 'promote', 'api', '--detach'], env);
  assert.equal(again.code, 1);
  assert.match(again.err, /no canaries waiting/);
});
