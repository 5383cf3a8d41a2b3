/**
 * The operator's first steps with real processes: agents started without a
 * cluster, `shoal init` and `shoal join` through their APIs, and the clear
 * errors an agent gives instead of a stack trace.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHOAL_BIN, freePort, waitFor } from '@shoal/testkit';
import { ShoalClient } from '@shoal/api';
import { readFileSync, writeFileSync } from 'node:fs';

const root = mkdtempSync(join(tmpdir(), 'shoal-cli-'));
const procs: ChildProcess[] = [];
after(() => {
  for (const p of procs) p.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

function shoal(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SHOAL_BIN, ...args], { timeout: 60_000, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function agent(name: string, extra: string[] = []): Promise<{ dir: string; api: string; p2p: number; proc: ChildProcess }> {
  // freePort() can race with other test files taking ports at the same time: on a port clash, try new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startAgent(name, extra);
    } catch (err) {
      if (attempt >= 3 || !/already in use/.test((err as Error).message)) throw err;
    }
  }
}

async function startAgent(name: string, extra: string[]): Promise<{ dir: string; api: string; p2p: number; proc: ChildProcess }> {
  const dir = join(root, name);
  const p2p = await freePort();
  const apiPort = await freePort();
  const logFile = join(root, `${name}.log`);
  const out = openSync(logFile, 'a');
  const proc = spawn(process.execPath, [SHOAL_BIN, 'agent', '--data-dir', dir, '--name', name, '--driver', 'exec', '--p2p-listen', `127.0.0.1:${p2p}`, '--api-listen', `127.0.0.1:${apiPort}`, ...extra], {
    stdio: ['ignore', out, out],
    env: { ...process.env, SHOAL_NETWORK: 'off', SHOAL_LOG_PRETTY: '0' },
  });
  procs.push(proc);
  const api = `http://127.0.0.1:${apiPort}`;
  try {
    await waitFor(`${name} API`, async () => {
      if (proc.exitCode !== null) throw new Error(`${name} exited with code ${proc.exitCode}`);
      return (await new ShoalClient({ baseUrl: api }).health()).ok;
    }, { timeoutMs: 30_000 });
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${name}'s log:\n${readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n')}`);
  }
  return { dir, api, p2p, proc };
}

test('agents with no cluster are put into one with `shoal init` and `shoal join`', async () => {
  const a = await agent('first');
  const b = await agent('second');
  const notYet = await shoal(['--host', a.api, '--data-dir', a.dir, 'service', 'ls']);
  assert.equal(notYet.code, 1);
  assert.match(notYet.stderr, /not in a cluster yet: run `shoal init`/);

  const init = await shoal(['--host', a.api, '--data-dir', a.dir, 'init']);
  assert.equal(init.code, 0, init.stderr);
  const m = /shoal agent --join (\S+) --join-token-file join\.token/.exec(init.stdout);
  assert.ok(m, init.stdout);
  assert.equal(m[1], `127.0.0.1:${a.p2p}`);
  const shown = await shoal(['--host', a.api, '--data-dir', a.dir, 'cluster', 'token', 'show']);
  assert.equal(shown.code, 0, shown.stderr);
  const token = shown.stdout.trim();
  assert.ok(!init.stdout.includes(token), 'shoal init does not print the join token');

  // The token from the environment: nothing on the command line, no warning.
  const joined = await shoal(['--host', b.api, '--data-dir', b.dir, 'join', m[1]], { SHOAL_JOIN_TOKEN: token });
  assert.equal(joined.code, 0, joined.stderr);
  assert.equal(joined.stderr, '');
  assert.match(joined.stdout, /^joined cluster \S+ as (learner|voter)/);
  const client = new ShoalClient({ baseUrl: a.api, token: readFileSync(join(a.dir, 'api.token'), 'utf8').trim() });
  await waitFor('both nodes ready', async () => (await client.listNodes()).filter((n) => n.status === 'ready').length === 2, { timeoutMs: 30_000 });

  const again = await shoal(['--host', a.api, '--data-dir', a.dir, 'init']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already in a cluster/);

  // After a rotation the old token is refused with a clear message, and the joiner stays out.
  const rotated = await shoal(['--host', a.api, '--data-dir', a.dir, 'cluster', 'token', 'rotate', '--json']);
  assert.equal(rotated.code, 0, rotated.stderr);
  const c = await agent('third');
  // --token still works, with a warning that the process list shows it.
  const bad = await shoal(['--host', c.api, '--data-dir', c.dir, 'join', m[1], '--token', token]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^warning: --token puts the join token .* in \/proc\/PID\/cmdline/);
  assert.match(bad.stderr, /\nError: the join token is not valid \(it may have been rotated\)/);
  assert.equal((await client.listNodes()).length, 2);
  // ... and the same agent joins once given the current token.
  const fresh = JSON.parse(rotated.stdout).token as string;
  const tokenFile = join(root, 'join.token');
  writeFileSync(tokenFile, fresh + '\n', { mode: 0o600 });
  const good = await shoal(['--host', c.api, '--data-dir', c.dir, 'join', m[1], '--join-token-file', tokenFile]);
  assert.equal(good.code, 0, good.stderr);
  assert.equal(good.stderr, '');
  await waitFor('three nodes', async () => (await client.listNodes()).length === 3, { timeoutMs: 30_000 });
  for (const p of [a, b, c]) p.proc.kill('SIGTERM');
});

test('clear errors instead of stack traces: a port in use, another cluster\'s data dir', async () => {
  const a = await agent('busy', ['--init']);
  const port = Number(new URL(a.api).port);
  const clash = await shoal(['agent', '--data-dir', join(root, 'clash'), '--driver', 'exec', '--p2p-listen', `127.0.0.1:${await freePort()}`, '--api-listen', `127.0.0.1:${port}`]);
  assert.equal(clash.code, 1);
  assert.match(clash.stderr, /^Error: api-listen 127\.0\.0\.1:\d+ is already in use; pick another with --api-listen\n$/);

  const other = await agent('other', ['--init']);
  const token = await waitFor('the join token', async () => JSON.parse((await shoal(['--host', other.api, '--data-dir', other.dir, 'cluster', 'token', 'show', '--json'])).stdout).token as string, { timeoutMs: 30_000 });
  a.proc.kill('SIGTERM');
  await new Promise((r) => a.proc.once('exit', r));
  const wrong = await shoal(['agent', '--data-dir', a.dir, '--driver', 'exec', '--join', `127.0.0.1:${other.p2p}`, '--api-listen', `127.0.0.1:${await freePort()}`, '--p2p-listen', `127.0.0.1:${await freePort()}`], { SHOAL_JOIN_TOKEN: token });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /^Error: data dir .* belongs to cluster .*, not .*; use another --data-dir/);
  other.proc.kill('SIGTERM');
});
