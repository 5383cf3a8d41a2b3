// The task runner's file step: secrets and configs are written between prepare and launch, and removed when the task ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, ShoalError, type Task } from '@shoal/types';
import { waitFor } from '@shoal/testkit';
import { Agent } from '../src/agent.js';
import { TaskFiles, type FileSource } from '../src/index.js';
import { FakeDriver } from './fake-driver.js';
import { ReportLog, makeTask, silentLogger } from './helpers.js';

/** Keeps the task each start was given: the spec the driver sees, with its file mounts. */
class RecordingDriver extends FakeDriver {
  launched: Task[] = [];
  override async start(task: Task) {
    this.launched.push(task);
    return super.start(task);
  }
}

const source: FileSource = {
  secret: async (name) => {
    if (name === 'missing') throw new ShoalError(ErrorCode.NotFound, 'secret missing was not granted to this node');
    return Buffer.from(`value-of-${name}`);
  },
  config: async (name) => Buffer.from(`text-of-${name}`),
};

function setup() {
  const driver = new RecordingDriver();
  const log = new ReportLog();
  const files = new TaskFiles({ baseDir: mkdtempSync(join(tmpdir(), 'shoal-files-')), source });
  const agent = new Agent({ nodeId: 'node-1', drivers: [driver], report: log.report, logger: silentLogger, pollMs: 20, files });
  return { driver, log, files, agent };
}

test('a task starts with its secret mounted read-only from its private dir, which goes when it is shut down', async () => {
  const { driver, log, files, agent } = setup();
  await agent.start();
  const task = makeTask({ name: 'db', secrets: [{ source: 'pw' }], configs: [{ source: 'conf', target: '/etc/app.conf' }] });
  agent.reconcile([task]);
  await waitFor('running', () => log.last(task.id)?.state === 'running');
  const mounts = driver.launched[0].spec.mounts ?? [];
  const secret = mounts.find((m) => m.target === '/run/secrets/pw');
  assert.ok(secret?.readOnly, 'the secret is a read-only mount at /run/secrets/pw');
  assert.equal(readFileSync(secret.source!, 'utf8'), 'value-of-pw');
  assert.ok(mounts.some((m) => m.target === '/etc/app.conf'));
  assert.equal(task.spec.mounts, undefined, "the replica's task is not changed");
  agent.reconcile([{ ...log.applied(task), desiredState: 'shutdown' }]);
  await waitFor('files removed', () => driver.removes.includes(task.id) && !existsSync(files.taskDir(task.id)));
  await agent.stop();
});

test('a task exiting on its own loses its files; a secret this node cannot open rejects the task without starting it', async () => {
  const { driver, log, files, agent } = setup();
  await agent.start();
  const ok = makeTask({ name: 'job', secrets: [{ source: 'pw' }] });
  const bad = makeTask({ name: 'job', secrets: [{ source: 'missing' }] });
  agent.reconcile([ok, bad]);
  await waitFor('running and rejected', () => log.last(ok.id)?.state === 'running' && log.last(bad.id)?.state === 'rejected');
  assert.match(log.last(bad.id)!.message, /secret missing was not granted/);
  assert.deepEqual(driver.starts, [ok.id]);
  assert.ok(!existsSync(files.taskDir(bad.id)));
  assert.ok(existsSync(files.taskDir(ok.id)));
  driver.procs.get(ok.id)!.exit(0);
  await waitFor('files removed on exit', () => log.last(ok.id)?.state === 'complete' && !existsSync(files.taskDir(ok.id)));
  await agent.stop();
});
