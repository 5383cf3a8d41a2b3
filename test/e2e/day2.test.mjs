// Day-2 operations on five Docker-in-Docker nodes (issue 18), in one cluster:
// jobs: a run-to-completion job with completions, and a failing one, with
// their runs and exit codes in `job inspect`; canaries: `update --canary 1`
// runs one new task beside the old ones, `rollback` drops it, and after a
// second canary `promote` completes the update. Skips without
// Docker/docker-compose. (The host-pressure scenario is pressure.test.mjs.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ComposeCluster, REPO, WORKLOAD_IMAGE, missingPrerequisite, sleep, waitFor } from './lib/compose-cluster.mjs';

const skip = missingPrerequisite();
if (skip) test(`day-2 e2e on Docker-in-Docker (skipped: ${skip})`, { skip }, () => {});
const log = (...a) => console.log('#', ...a);
const SHOAL = join(REPO, 'packages', 'bin', 'shoal.js');

describe('day-2 operations: jobs, canaries', { skip: skip ?? false }, () => {
  const cluster = new ComposeCluster({ log });

  /** Runs the shoal CLI on the host against node 1's API: { status, stdout, stderr }. */
  async function shoalRun(args) {
    const token = await cluster.token(0);
    const r = spawnSync(process.execPath, [SHOAL, '--host', 'http://127.0.0.1:17071', ...args], { encoding: 'utf8', env: { ...process.env, SHOAL_TOKEN: token }, timeout: 300_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  async function shoal(args) {
    const r = await shoalRun(args);
    if (r.status !== 0) throw new Error(`shoal ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return r.stdout;
  }
  const running = async (service) => (await cluster.client(0).listTasks({ service })).filter((t) => t.desiredState === 'running' && t.status.state === 'running');

  before(async () => {
    const ms = cluster.buildImage();
    log(`node image ${cluster.image} ready in ${ms} ms`);
    await cluster.up();
  });

  after(async () => {
    if (process.env.SHOAL_E2E_KEEP !== '1') await cluster.down_().catch((e) => log(`teardown: ${e.message}`));
  });

  test('a run-to-completion job: completions, exit codes and runs in job inspect', async () => {
    const ok = await shoalRun(['job', 'run', 'sums', '--image', WORKLOAD_IMAGE, '--completions', '3', '--parallelism', '2', '--', 'sh', '-c', 'echo done; exit 0']);
    assert.equal(ok.status, 0, ok.stderr);
    const [job] = JSON.parse(await shoal(['job', 'inspect', 'sums']));
    const run = job.runs.at(-1);
    assert.equal(run.completed, 3);
    assert.equal(run.failed, 0);
    assert.ok(run.finished);
    assert.ok(run.attempts.filter((a) => a.exitCode === 0).length >= 3, JSON.stringify(run.attempts));
    // Completed tasks are not failures: the service is not shown as failing, nothing restarts them.
    await sleep(3000);
    const [again] = JSON.parse(await shoal(['job', 'inspect', 'sums']));
    assert.equal(again.runs.at(-1).attempts.length, run.attempts.length, 'no task of a completed run is restarted');
    // A second run of the same job is a new run; the first stays in the history.
    assert.equal((await shoalRun(['job', 'run', 'sums'])).status, 0);
    const [twice] = JSON.parse(await shoal(['job', 'inspect', 'sums']));
    assert.deepEqual(twice.runs.map((r) => [r.completed, r.finished]), [[3, true], [3, true]]);

    const bad = await shoalRun(['job', 'run', 'fails', '--image', WORKLOAD_IMAGE, '--restart-max-attempts', '1', '--restart-delay', '1s', '--', 'sh', '-c', 'exit 3']);
    assert.notEqual(bad.status, 0, 'job run exits non-zero when a task failed for good');
    assert.match(bad.stderr, /failed and will not be retried/);
    const [failed] = JSON.parse(await shoal(['job', 'inspect', 'fails']));
    const frun = failed.runs.at(-1);
    assert.equal(frun.givenUp, 1);
    assert.equal(frun.completed, 0);
    assert.ok(frun.attempts.length >= 2 && frun.attempts.every((a) => a.exitCode === 3), JSON.stringify(frun.attempts));
    await shoal(['job', 'rm', 'sums']);
    await shoal(['job', 'rm', 'fails']);
  });

  test('canaries: update --canary 1 runs one new task beside the old; rollback drops it; promote completes', async () => {
    await shoal(['service', 'create', 'web', '--image', WORKLOAD_IMAGE, '--replicas', '3', '-e', 'V=1', '--', 'sleep', '1000000']);
    const version = (t) => t.spec.env?.V;
    await waitFor('3 web tasks', 120_000, async () => (await running('web')).length === 3, 1000);
    await shoal(['service', 'update', 'web', '-e', 'V=2', '--canary', '1']);
    const mixed = await waitFor('3 old and 1 canary running', 120_000, async () => {
      const r = await running('web');
      return r.length === 4 && r.filter((t) => version(t) === '2').length === 1 ? r : undefined;
    }, 1000);
    assert.equal(mixed.filter((t) => version(t) === '1').length, 3, 'the old tasks keep running beside the canary');
    await shoal(['service', 'rollback', 'web', '--timeout', '5m']);
    await waitFor('the canary dropped, the 3 old tasks kept', 120_000, async () => {
      const r = await running('web');
      return r.length === 3 && r.every((t) => version(t) === '1');
    }, 1000);
    await shoal(['service', 'update', 'web', '-e', 'V=2', '--canary', '1']);
    await waitFor('the canary running again', 120_000, async () => (await running('web')).some((t) => version(t) === '2'), 1000);
    await shoal(['service', 'promote', 'web', '--timeout', '5m']);
    await waitFor('3 tasks of the new version, no more', 180_000, async () => {
      const r = await running('web');
      const live = (await cluster.client(0).listTasks({ service: 'web' })).filter((t) => t.desiredState === 'running');
      return r.length === 3 && live.length === 3 && r.every((t) => version(t) === '2');
    }, 1000);
    await shoal(['service', 'rm', 'web']);
  });
});
