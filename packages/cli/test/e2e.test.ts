/**
 * The real binary (packages/bin/shoal.js, spawned with this Node) against a real API
 * server on an ephemeral port backed by the in-memory test cluster.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '@shoal/testkit';
import { startServer, TOKEN } from './helpers.js';

// The whole binary (packages/bin), as users run it.
const BIN = fileURLToPath(new URL('../../../bin/shoal.js', import.meta.url));
const server = await startServer();
after(() => server.app.close());

function shoal(args: string[], env: NodeJS.ProcessEnv = server.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('create, ls, ps, scale, rm through the shoal binary', async () => {
  const created = await shoal(['service', 'create', 'web', '--replicas', '6', '--driver', 'exec', '--', 'sleep', '100000']);
  assert.equal(created.code, 0, created.stderr);
  assert.equal(created.stdout, 'web created: 6/6 tasks running\n');
  assert.deepEqual(server.backend.services.get('web')!.spec.command, ['sleep', '100000']);

  const ls = await shoal(['service', 'ls']);
  assert.match(ls.stdout, /^\S+ +web +replicated +6\/6 +sleep 100000 \(exec\)$/m);

  const ps = await shoal(['service', 'ps', 'web', '--json']);
  assert.equal(JSON.parse(ps.stdout).length, 6);

  const scaled = await shoal(['service', 'scale', 'web=2']);
  assert.equal(scaled.stdout, 'web scaled to 2: 2/2 tasks running\n');
  assert.equal((await shoal(['service', 'ps', 'web'])).stdout.trim().split('\n').length, 3);

  assert.equal((await shoal(['service', 'rm', 'web'])).code, 0);
  assert.equal(server.backend.services.size, 0);
});

test('a wrong token: one line, exit 1, no stack trace, nothing changed', async () => {
  const before = server.backend.mutations;
  const res = await shoal(['service', 'create', 'x', '--image', 'nginx'], { SHOAL_HOST: server.baseUrl, SHOAL_TOKEN: 'not-the-token' });
  assert.equal(res.code, 1);
  assert.equal(res.stderr, 'Error: wrong API token: use the one in <data-dir>/api.token of the node you talk to, or a token from `shoal token create`\n');
  assert.equal(server.backend.mutations, before);
  const json = await shoal(['service', 'ls', '--json'], { SHOAL_HOST: server.baseUrl, SHOAL_TOKEN: 'not-the-token' });
  assert.equal(JSON.parse(json.stdout).error.code, 'UNAUTHORIZED');
});

test('an unreachable host says so', async () => {
  const port = await freePort();
  const res = await shoal(['node', 'ls', '--host', `127.0.0.1:${port}`], { SHOAL_TOKEN: TOKEN });
  assert.equal(res.code, 1);
  assert.equal(res.stderr, `Error: cannot reach the shoal agent at http://127.0.0.1:${port}: is \`shoal agent\` running? (ECONNREFUSED)\n`);
});

test('SHOAL_DEBUG=1 adds the stack trace; usage errors come from commander', async () => {
  const port = await freePort();
  const debug = await shoal(['node', 'ls'], { SHOAL_HOST: `127.0.0.1:${port}`, SHOAL_TOKEN: TOKEN, SHOAL_DEBUG: '1' });
  assert.match(debug.stderr, /^Error: cannot reach/);
  assert.match(debug.stderr, /\n {4}at /);
  const usage = await shoal(['service', 'frobnicate']);
  assert.equal(usage.code, 1);
  assert.match(usage.stderr, /unknown command 'frobnicate'/);
  const help = await shoal(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /service +create and manage services/);
});

test('the launcher refuses a Node older than 22 with a clear message', async () => {
  const res = await new Promise<{ code: number; stderr: string }>((resolve) => {
    // Pretend to be Node 20 by overriding process.versions before the launcher runs.
    const preload = "Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '20.11.1' } });";
    execFile(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(preload)}`, BIN, 'service', 'ls'], (err, _stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
    );
  });
  assert.equal(res.code, 1);
  assert.match(res.stderr, /^Error: shoal needs Node.js 22 or newer; this is 20\.11\.1\./);
});


test('task explain shows, node by node, why a task is pending', async () => {
  const created = await shoal(['service', 'create', 'picky', '--image', 'nginx', '--constraint', 'node.labels.zone==nowhere', '--detach']);
  assert.equal(created.code, 0, created.stderr);
  const task = JSON.parse((await shoal(['service', 'ps', 'picky', '--json'])).stdout)[0];
  const res = await shoal(['task', 'explain', task.id]);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /^picky\.1 \(\S+\): pending: /);
  assert.match(res.stdout, /NODE +FITS +WHY NOT/);
  assert.match(res.stdout, /no +constraint node\.labels\.zone==nowhere not met/);
  const missing = await shoal(['task', 'explain', 'nope']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^Error: no task nope/);
  await shoal(['service', 'rm', 'picky']);
});
