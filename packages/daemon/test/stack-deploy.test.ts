/**
 * `shoal stack` with real processes: the CLI binary against a real agent
 * (exec driver, loopback). A Compose file is deployed in dependency order
 * (waiting for a health check), a changed file updates only what changed and
 * removes what it dropped, a file with a refused service creates nothing,
 * and `stack rm` stops everything.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ShoalClient } from '@shoal/api';
import { SHOAL_BIN, waitFor } from '@shoal/testkit';
import { apiCluster, running, type ApiCluster } from './helpers.js';

let c: ApiCluster;
let cl: ShoalClient;
let env: NodeJS.ProcessEnv;
const dir = mkdtempSync(join(tmpdir(), 'shoal-stack-'));

before(async () => {
  c = apiCluster({ size: 1, driver: 'exec' });
  await c.start();
  cl = c.client(0);
  const n = c.nodes[0];
  env = { PATH: process.env.PATH, SHOAL_HOST: `http://127.0.0.1:${n.apiPort}`, SHOAL_TOKEN: readFileSync(join(n.dataDir, 'api.token'), 'utf8').trim() };
});

after(async () => {
  await c?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function shoal(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SHOAL_BIN, ...args], { env: { ...env, ...extraEnv }, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

// The db turns healthy only once its marker file exists, a few checks after start.
const V1 = `
x-exec: &exec
  x-shoal-driver: exec
services:
  db:
    <<: *exec
    command: ["sh", "-c", "sleep 2; touch \${MARKER}; exec sleep 100000"]
    healthcheck: { test: "test -f \${MARKER}", interval: 1s, start_period: 30s }
  api:
    <<: *exec
    command: ["sh", "-c", "echo api \${API_VERSION:-v1}; exec sleep 100000"]
    depends_on: { db: { condition: service_healthy } }
    deploy: { replicas: 2 }
  web:
    <<: *exec
    command: ["sleep", "100000"]
    depends_on: [api]
`;

test('deploy waits for the healthy db, then creates api and web', async () => {
  const file = join(dir, 'compose.yaml');
  writeFileSync(file, V1);
  writeFileSync(join(dir, '.env'), `MARKER=${join(dir, 'db-ready')}\n`);
  const res = await shoal(['stack', 'deploy', '-c', file, 'app', '--timeout', '60s']);
  assert.equal(res.code, 0, res.stderr);
  const lines = res.stdout.trim().split('\n');
  assert.deepEqual(lines.slice(0, 4), ['created app_db', 'app_api: waiting for app_db to be healthy', 'created app_api', 'created app_web']);
  assert.match(res.stdout, /^app_api: 2\/2 tasks running$/m);
  const db = running(await cl.listTasks({ service: 'app_db' }));
  assert.equal(db[0].status.health, 'healthy');
  const api = await cl.listTasks({ service: 'app_api' });
  assert.ok(api.every((t) => t.createdAt >= db[0].createdAt));
});

test('a changed file updates only the changed service and removes the dropped one', async () => {
  const dbBefore = running(await cl.listTasks({ service: 'app_db' })).map((t) => t.id);
  const file = join(dir, 'compose.yaml');
  writeFileSync(file, V1.replace(/ {2}web:\n[\s\S]*$/, ''));
  const res = await shoal(['stack', 'deploy', '-c', file, 'app', '--timeout', '60s'], { API_VERSION: 'v2' });
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /^updated app_api$/m);
  assert.match(res.stdout, /^unchanged app_db$/m);
  assert.match(res.stdout, /^removed app_web \(no longer in the file\)$/m);
  assert.deepEqual(running(await cl.listTasks({ service: 'app_db' })).map((t) => t.id), dbBefore, 'the unchanged db kept its tasks');
  const api = running(await cl.listTasks({ service: 'app_api' }));
  assert.equal(api.length, 2);
  assert.ok(api.every((t) => t.spec.command?.[2] === 'echo api v2; exec sleep 100000'));
  assert.equal((await cl.listServices()).some((s) => s.spec.name === 'app_web'), false);
});

test('a file with a refused service creates nothing', async () => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'services:\n  fine:\n    x-shoal-driver: exec\n    command: [sleep, "100"]\n  root:\n    x-shoal-driver: exec\n    command: [sleep, "100"]\n    privileged: true\n');
  const res = await shoal(['stack', 'deploy', '-c', file, 'bad']);
  assert.equal(res.code, 1);
  assert.match(res.stderr, /nothing was deployed: 1 service refused:\n {2}bad_root: service "bad_root" asks for host access \(privileged: true\)/);
  assert.equal((await cl.listServices()).some((s) => s.spec.name.startsWith('bad_')), false);
});

test('stack ls, ps and rm', async () => {
  const ls = await shoal(['stack', 'ls']);
  assert.match(ls.stdout, /^app +2 +3$/m);
  const ps = await shoal(['stack', 'ps', 'app']);
  assert.equal(ps.stdout.trim().split('\n').length, 4, ps.stdout);
  const rm = await shoal(['stack', 'rm', 'app']);
  assert.equal(rm.code, 0, rm.stderr);
  assert.equal(rm.stdout, 'removed app_api\nremoved app_db\n');
  await waitFor('every task of the stack stopped', async () => running(await cl.listTasks({ all: true })).length === 0, { timeoutMs: 30_000 });
  assert.deepEqual(await cl.listServices(), []);
});
