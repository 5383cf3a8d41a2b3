import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Task } from '@shoal/types';
import { TaskFiles } from '../src/index.js';

function task(driver: 'docker' | 'exec'): Task {
  return {
    id: 'task1',
    serviceId: 's',
    serviceName: 'db',
    serviceVersion: 1,
    slot: 1,
    nodeId: 'n1',
    desiredState: 'running',
    status: { state: 'assigned', timestamp: 0, message: '' },
    spec: { name: 'db', driver, image: 'redis', command: ['true'], secrets: [{ source: 'pw' }, { source: 'tls', target: '/etc/tls/key.pem', mode: 0o440 }], configs: [{ source: 'conf', target: '/etc/app.conf' }] },
    createdAt: 0,
    updatedAt: 0,
  };
}

const opened: string[] = [];
const source = {
  secret: async (name: string) => {
    opened.push(name);
    return Buffer.from(`value-of-${name}`);
  },
  config: async (name: string) => Buffer.from(`config-${name}`),
};

test('docker: files on the tmpfs dir, bind-mounted read-only at their targets with their modes', async () => {
  const base = mkdtempSync(join(tmpdir(), 'files-'));
  const files = new TaskFiles({ baseDir: base, source });
  const t = await files.prepare(task('docker'));
  const mounts = t.spec.mounts!;
  assert.deepEqual(mounts.map((m) => [m.target, m.readOnly]), [['/run/secrets/pw', true], ['/etc/tls/key.pem', true], ['/etc/app.conf', true]]);
  assert.equal(readFileSync(mounts[0].source!, 'utf8'), 'value-of-pw');
  assert.equal(statSync(mounts[0].source!).mode & 0o777, 0o400);
  assert.equal(statSync(mounts[1].source!).mode & 0o777, 0o440);
  assert.equal(statSync(mounts[2].source!).mode & 0o777, 0o444);
  assert.equal(statSync(files.taskDir('task1')).mode & 0o777, 0o700);
  await files.release('task1');
  assert.equal(existsSync(files.taskDir('task1')), false);
});

test('exec: a private directory per task, its paths in the environment', async () => {
  const base = mkdtempSync(join(tmpdir(), 'files-'));
  const files = new TaskFiles({ baseDir: base, source });
  const t = await files.prepare(task('exec'));
  const dir = t.spec.env!.SHOAL_SECRETS_DIR;
  assert.equal(readFileSync(join(dir, 'pw'), 'utf8'), 'value-of-pw');
  assert.equal(readFileSync(join(dir, 'key.pem'), 'utf8'), 'value-of-tls');
  assert.equal(readFileSync(join(t.spec.env!.SHOAL_CONFIGS_DIR, 'app.conf'), 'utf8'), 'config-conf');
  assert.equal(t.spec.mounts, undefined);
});

test('a secret that cannot be opened fails the start and leaves no files', async () => {
  const base = mkdtempSync(join(tmpdir(), 'files-'));
  const files = new TaskFiles({ baseDir: base, source: { ...source, secret: async () => { throw new Error('not sealed to this node'); } } });
  await assert.rejects(files.prepare(task('docker')), /not sealed to this node/);
  assert.equal(existsSync(files.taskDir('task1')), false);
});
