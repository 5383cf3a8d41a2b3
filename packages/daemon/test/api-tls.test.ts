/**
 * The admin API over TLS with the cluster CA: three real agents serving
 * HTTPS, voters holding the CA key, the CLI through a context that pins the
 * CA (and refusing a node when it pins another), and off-loopback listen
 * addresses refused without TLS unless --insecure-api.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHOAL_BIN, freePort, waitFor } from '@shoal/testkit';
import { ShoalClient, pinnedFetch } from '@shoal/api';
import { createClusterCa } from '../src/tls/cluster-ca.js';

const root = mkdtempSync(join(tmpdir(), 'shoal-tls-'));
const procs: ChildProcess[] = [];
after(() => {
  for (const p of procs) p.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

interface Agent {
  name: string;
  dir: string;
  p2p: number;
  api: number;
  proc: ChildProcess;
  log: string;
}

async function agent(name: string, extra: string[], opts: { apiHost?: string } = {}): Promise<Agent> {
  const dir = join(root, name);
  const p2p = await freePort();
  const api = await freePort();
  const log = join(root, `${name}.log`);
  const args = [SHOAL_BIN, 'agent', '--data-dir', dir, '--name', name, '--driver', 'exec', '--p2p-listen', `127.0.0.1:${p2p}`, '--api-listen', `${opts.apiHost ?? '127.0.0.1'}:${api}`, ...extra];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')], env: { ...process.env, SHOAL_NETWORK: 'off', SHOAL_LOG_PRETTY: '0' } });
  procs.push(proc);
  return { name, dir, p2p, api, proc, log };
}

const tokenOf = (a: Agent) => readFileSync(join(a.dir, 'api.token'), 'utf8').trim();
const caOf = (a: Agent) => readFileSync(join(a.dir, 'tls', 'ca.crt'), 'utf8');

function pinnedClient(a: Agent, ca: string): ShoalClient {
  return new ShoalClient({ baseUrl: `https://127.0.0.1:${a.api}`, token: tokenOf(a), fetch: pinnedFetch(ca) });
}

async function ready(a: Agent, ca: () => string): Promise<void> {
  await waitFor(`${a.name} over https`, async () => {
    if (a.proc.exitCode !== null) throw new Error(`${a.name} exited: ${readFileSync(a.log, 'utf8').split('\n').slice(-5).join('\n')}`);
    if (!existsSync(join(a.dir, 'tls', 'api.crt'))) return false;
    try {
      return (await pinnedClient(a, ca()).clusterStatus()).leader !== null;
    } catch {
      return false;
    }
  }, { timeoutMs: 60_000 });
}

/** The CLI with only the connection settings given here (none inherited from the test's environment). */
function shoal(args: string[], extra: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  for (const k of ['SHOAL_HOST', 'SHOAL_TOKEN', 'SHOAL_CONTEXT', 'SHOAL_CA', 'SHOAL_DATA_DIR', 'SHOAL_CONFIG_DIR']) delete env[k];
  return new Promise((resolve) => {
    execFile(process.execPath, [SHOAL_BIN, ...args], { timeout: 60_000, env: { ...env, ...extra } }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }));
  });
}

test('HTTPS with the cluster CA: voters hold its key, the CLI pins it through a context and refuses another CA', async () => {
  const a = await agent('a', ['--init', '--voters', '3', '--api-tls']);
  await ready(a, () => caOf(a));
  const { token } = await pinnedClient(a, caOf(a)).showToken();
  const tokenFile = join(root, 'join.token');
  writeFileSync(tokenFile, token, { mode: 0o600 });
  const b = await agent('b', ['--join', `127.0.0.1:${a.p2p}`, '--join-token-file', tokenFile, '--api-tls']);
  const c = await agent('c', ['--join', `127.0.0.1:${a.p2p}`, '--join-token-file', tokenFile, '--api-tls']);
  await Promise.all([ready(b, () => caOf(a)), ready(c, () => caOf(a))]);
  // Each node's certificate came from the one cluster CA; the voters fetch its key.
  assert.equal(caOf(b), caOf(a));
  await waitFor('b and c (voters) hold the CA key', () => existsSync(join(b.dir, 'tls', 'ca.key')) && existsSync(join(c.dir, 'tls', 'ca.key')), { timeoutMs: 60_000 });
  assert.equal(readFileSync(join(b.dir, 'tls', 'ca.key'), 'utf8'), readFileSync(join(a.dir, 'tls', 'ca.key'), 'utf8'));

  const cli = (args: string[]) => shoal(args, { SHOAL_CONFIG_DIR: join(root, 'config') });

  const caFile = join(root, 'ca.pem');
  const printed = await shoal(['--host', `https://localhost:${a.api}`, '--ca', join(a.dir, 'tls', 'ca.crt'), '--data-dir', a.dir, 'cluster', 'ca'], {});
  assert.equal(printed.code, 0, printed.stderr);
  assert.equal(printed.stdout.trim(), caOf(a).trim());
  writeFileSync(caFile, printed.stdout);

  const added = await cli(['--token-file', join(b.dir, 'api.token'), 'context', 'add', 'prod', '--server', `https://127.0.0.1:${b.api}`, '--ca', caFile]);
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /context prod saved in .*contexts\.json \(current\)/);
  assert.equal(statSync(join(root, 'config', 'contexts.json')).mode & 0o777, 0o600, 'the contexts file holds tokens: 0600');
  const ls = await cli(['node', 'ls']);
  assert.equal(ls.code, 0, ls.stderr);
  for (const n of ['a', 'b', 'c']) assert.match(ls.stdout, new RegExp(`\\b${n}\\b`));

  // A context that pins another CA is refused before any token is sent.
  const wrong = await createClusterCa('someone-else', Date.now());
  writeFileSync(join(root, 'wrong.pem'), wrong.certPem);
  const evil = await cli(['--token-file', join(b.dir, 'api.token'), 'context', 'add', 'evil', '--server', `https://127.0.0.1:${b.api}`, '--ca', join(root, 'wrong.pem')]);
  assert.equal(evil.code, 0, evil.stderr);
  const refused = await cli(['--context', 'evil', 'node', 'ls']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^Error: refusing https:\/\/127\.0\.0\.1:\d+: its TLS certificate is not one the trusted CA signed for that host/);
  const ctxs = await cli(['context', 'ls']);
  assert.match(ctxs.stdout, /\*\s+prod\s+https:\/\/127\.0\.0\.1:\d+\s+pinned\s+stored/);
});

test('off loopback the API needs TLS: an agent in no cluster refuses to start, --insecure-api serves plain HTTP', async () => {
  const lone = await agent('lone', [], { apiHost: '0.0.0.0' });
  const code = await new Promise((r) => lone.proc.once('exit', r));
  assert.equal(code, 1);
  assert.match(readFileSync(lone.log, 'utf8'), /the admin API needs TLS \(its listen address is not loopback\) but this node has no certificate: it is in no cluster yet/);

  const open = await agent('open', ['--insecure-api'], { apiHost: '0.0.0.0' });
  await waitFor('plain http with --insecure-api', async () => (await new ShoalClient({ baseUrl: `http://127.0.0.1:${open.api}` }).health().catch(() => ({ ok: false }))).ok, { timeoutMs: 30_000 });
  open.proc.kill('SIGTERM');
});
