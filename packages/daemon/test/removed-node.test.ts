/**
 * A node removed from the cluster and restarted with its old data dir says
 * that it was removed and how to rejoin (API 503 NODE_REMOVED, a log line,
 * `shoal node ls`), instead of answering 503 forever without a reason; and
 * says it at once on the next start.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { SHOAL_BIN, waitFor } from '@shoal/testkit';
import { apiCluster, leaderIndex } from './helpers.js';

const c = apiCluster({ size: 3, voters: 3 });
const extra: ChildProcess[] = [];
after(async () => {
  for (const p of extra) p.kill('SIGKILL');
  await c.stop();
});

function startAgain(i: number): ChildProcess {
  const n = c.nodes[i];
  const out = openSync(n.logFile, 'a');
  const args = [SHOAL_BIN, 'agent', '--data-dir', n.dataDir, '--name', n.name, '--p2p-listen', `127.0.0.1:${n.p2pPort}`, '--api-listen', `127.0.0.1:${n.apiPort}`, '--driver', 'exec'];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', out, out], env: { ...process.env, SHOAL_NETWORK: 'off', SHOAL_LOG_PRETTY: '0' } });
  extra.push(proc);
  return proc;
}

async function nodesAnswer(i: number): Promise<{ status: number; body: { error?: { code: string; message: string } } } | null> {
  const { baseUrl, token } = c.connection(i);
  try {
    const res = await fetch(`${baseUrl}/v1/nodes`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
  } catch {
    return null; // not listening yet
  }
}

function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => execFile(process.execPath, [SHOAL_BIN, ...args], { timeout: 60_000 }, (err, _o, stderr) => resolve({ code: err ? 1 : 0, stderr })));
}

test('a removed node restarted with its old data dir says it was removed and how to rejoin', async () => {
  await c.start();
  const leader = await leaderIndex(c);
  const gone = [0, 1, 2].find((i) => i !== leader)!;
  const goneId = c.nodes[gone].id!;
  await c.kill(gone, 'SIGTERM');
  await c.client(leader).removeNode(goneId, { force: true });

  const proc = startAgain(gone);
  const answer = await waitFor('the removed node to say so', async () => {
    const a = await nodesAnswer(gone);
    return a?.body.error?.code === 'NODE_REMOVED' ? a : false;
  }, { timeoutMs: 60_000 });
  assert.equal(answer.status, 503);
  assert.match(answer.body.error!.message, new RegExp(`this node \\(${goneId}\\) was removed from cluster \\S+ and cannot rejoin under this identity`));
  assert.match(answer.body.error!.message, /start it with an empty --data-dir and --join ADDR --join-token-file join\.token/);
  assert.match(readFileSync(c.nodes[gone].logFile, 'utf8'), /"level":50.*was removed from cluster/);

  const ls = await cli(['--host', `http://127.0.0.1:${c.nodes[gone].apiPort}`, '--data-dir', c.nodes[gone].dataDir, 'node', 'ls']);
  assert.equal(ls.code, 1);
  assert.match(ls.stderr, /^Error: this node \(\S+\) was removed from cluster/);

  // The rest of the cluster is unaffected, and the removed node stays out.
  assert.ok(!(await c.client(leader).listNodes()).some((n) => n.id === goneId));

  // The next start says it at once, from the data dir.
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
  startAgain(gone);
  const first = await waitFor('the API of the restarted removed node', () => nodesAnswer(gone), { timeoutMs: 30_000 });
  assert.equal(first.status, 503);
  assert.equal(first.body.error?.code, 'NODE_REMOVED');
});
