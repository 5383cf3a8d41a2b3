/**
 * Registry credentials against a real private registry on loopback (basic
 * auth): a pull without credentials fails and names `shoal registry login`;
 * after `shoal registry login` a service created with --with-registry-auth
 * pulls and runs; the password is in no data dir, log or CLI output.
 * One agent on this machine's Docker engine.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHOAL_BIN, removeNodeContainers, waitFor } from '@shoal/testkit';
import { apiCluster, type ApiCluster } from './helpers.js';
import { LocalRegistry, registrySkipReason } from './local-registry.js';

const skip = registrySkipReason();
if (skip) console.log(`# registry tests skipped: ${skip}`);
const PASSWORD = `reg-${randomBytes(18).toString('hex')}`;
const TEST_IMAGE = 'shoal-test/busybox:1';

let c: ApiCluster;
let registry: LocalRegistry;
let image = '';
const outputs: string[] = [];

function shoal(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const conn = c.connection(0);
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [SHOAL_BIN, '--host', conn.baseUrl, ...args], { timeout: 60_000, env: { ...process.env, SHOAL_TOKEN: conn.token } }, (err, stdout, stderr) => {
      outputs.push(stdout, stderr);
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

async function lastStatus(service: string) {
  const tasks = await c.client(0).listTasks({ service });
  return tasks.at(-1)?.status;
}

before(async () => {
  if (skip) return;
  execFileSync('sh', [join(import.meta.dirname, '..', '..', '..', '..', 'scripts', 'test-images.sh')]);
  registry = new LocalRegistry('shoal-ci', PASSWORD);
  await registry.start();
  image = registry.push(TEST_IMAGE, `private/busybox:${randomBytes(4).toString('hex')}`);
  c = apiCluster({ size: 1, driver: 'docker' });
  await c.start();
});

after(async () => {
  if (skip) return;
  if (c?.nodes[0]?.id) removeNodeContainers(c.nodes[0].id);
  await c?.stop();
  registry?.stop();
  if (image) execFileSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
});

test('without credentials the pull fails and the task names `shoal registry login HOST`', { skip }, async () => {
  const r = await shoal(['service', 'create', 'anon', '--detach', '--image', image, '--', 'sleep', '3600']);
  assert.equal(r.code, 0, r.stderr);
  const st = await waitFor('the pull refused', async () => {
    const s = await lastStatus('anon');
    return (s?.state === 'rejected' || s?.state === 'failed') && s;
  }, { timeoutMs: 90_000, everyMs: 250 });
  assert.match(st.message, /could not be pulled/);
  assert.match(st.message, new RegExp(`shoal registry login ${registry.host.replace(/\./g, '\\.')}`));
  assert.match(st.message, /--with-registry-auth/);
  assert.equal((await shoal(['service', 'rm', 'anon'])).code, 0);
});

test('after `shoal registry login`, a service with --with-registry-auth pulls and runs', { skip }, async () => {
  const login = await shoal(['registry', 'login', registry.host, '-u', registry.username], `${PASSWORD}\n`);
  assert.equal(login.code, 0, login.stderr);
  assert.match(login.stdout, /stored as secret registry-/);
  const r = await shoal(['service', 'create', 'priv', '--detach', '--image', image, '--with-registry-auth', '--', 'sleep', '3600']);
  assert.equal(r.code, 0, r.stderr);
  await waitFor('the task running', async () => (await lastStatus('priv'))?.state === 'running', { timeoutMs: 90_000, everyMs: 250 });
  const meta = await c.client(0).getSecret('secret', `registry-${registry.host.replace(':', '-')}`);
  outputs.push(JSON.stringify(meta));
  assert.deepEqual(meta.usedBy, ['priv']);
});

test('the registry password is in no data dir, log or CLI output', { skip }, async () => {
  const needles = [PASSWORD, Buffer.from(PASSWORD).toString('base64')];
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) files.push(p);
    }
  };
  walk(c.root);
  assert.ok(files.some((f) => f.endsWith('.log')), 'expected the agent log');
  for (const f of files) for (const n of needles) assert.ok(!readFileSync(f).includes(n), `found the registry password in ${f}`);
  for (const n of needles) assert.ok(!outputs.join('\n').includes(n), 'found the registry password in CLI output');
});
