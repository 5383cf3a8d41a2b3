/**
 * Secrets stay out of logs, process lists and other users' reach: a real
 * `--init` node and a real `--join` node at trace level, then every log line,
 * the joiner's command line and every file mode in both data dirs.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJoinToken } from '@shoal/p2p';
import { apiCluster, waitRunning } from './helpers.js';

const c = apiCluster({ size: 2, voters: 1, extraArgs: ['--log-level', 'trace'] });
after(() => c.stop());

function walk(dir: string, out: { path: string; mode: number; dir: boolean }[] = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = lstatSync(path);
    if (st.isSymbolicLink()) continue;
    out.push({ path, mode: st.mode & 0o777, dir: st.isDirectory() });
    if (st.isDirectory()) walk(path, out);
  }
  return out;
}

test('the join token and the cluster key never reach a log line, the command line or a readable file', async () => {
  await c.start();
  const { token } = await c.client(0).showToken();
  const t = decodeJoinToken(token);
  const psk = Buffer.from(t.psk);
  const secrets = { token, joinSecret: t.secret, pskHex: psk.toString('hex'), pskBase64url: psk.toString('base64url'), pskBase64: psk.toString('base64') };
  // A write that goes through the join, Raft and the task agent, so the logs have seen real work.
  await c.client(0).createService({ name: 'web', driver: 'exec', command: ['sleep', '300'], env: { DB_PASSWORD: 'hunter2' }, replicas: 2 });
  await waitRunning(c, 'web', 2);

  let lines = 0;
  for (const n of c.nodes) {
    const log = readFileSync(n.logFile, 'utf8');
    lines += log.split('\n').length;
    for (const [what, value] of Object.entries(secrets)) assert.ok(!log.includes(value), `${n.name}'s log holds the ${what}`);
  }
  // The logs saw the join, Raft and the agent at their most verbose (debug and trace lines too).
  assert.ok(lines > 30, `trace logging wrote ${lines} lines`);
  assert.ok(c.nodes.every((n) => /"level":(10|20),/.test(readFileSync(n.logFile, 'utf8'))), 'debug or trace lines in every log');
  assert.match(readFileSync(c.nodes[0].logFile, 'utf8'), /shoal cluster token show > join\.token/);

  const joiner = c.nodes[1].proc!;
  const cmdline = readFileSync(`/proc/${joiner.pid}/cmdline`, 'utf8');
  assert.match(cmdline, /--join-token-file/);
  for (const [what, value] of Object.entries(secrets)) assert.ok(!cmdline.includes(value), `the joiner's command line holds the ${what}`);

  for (const n of c.nodes) {
    const rootMode = lstatSync(n.dataDir).mode & 0o777;
    assert.equal(rootMode, 0o700, `${n.dataDir} is ${rootMode.toString(8)}`);
    const entries = walk(n.dataDir);
    assert.ok(entries.some((e) => e.path.includes('raft')), 'the walk saw the Raft store');
    for (const e of entries) assert.equal(e.mode, e.dir ? 0o700 : 0o600, `${e.path} is ${e.mode.toString(8)}`);
  }
});
