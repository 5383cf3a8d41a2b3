// What only the exec driver does: its state file, pid-reuse guard, log rotation, preflight.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, type ShoalError } from '@shoal/types';
import { ExecDriver } from '../src/exec-driver.js';
import { resolveExecUser } from '../src/exec-user.js';
import { rotateIfLarge } from '../src/log-files.js';
import { waitFor } from '@shoal/testkit';
import { makeTask } from './helpers.js';

const dataDir = mkdtempSync(join(tmpdir(), 'shoal-exec-'));
const drivers: ExecDriver[] = [];
const newDriver = (opts: Partial<ConstructorParameters<typeof ExecDriver>[0]> = {}) => {
  const d = new ExecDriver({ nodeId: 'node-1', dataDir, ...opts });
  drivers.push(d);
  return d;
};
after(async () => {
  for (const d of drivers) {
    for (const h of await d.list()) await d.remove(h);
    d.close();
  }
  rmSync(dataDir, { recursive: true, force: true });
});

test('state.json records pid and start time; a recycled pid is not mistaken for the task', async () => {
  const d = newDriver();
  const t = makeTask({ driver: 'exec', command: ['sleep', '60'] });
  const h = await d.start(t);
  const file = join(dataDir, 'tasks', t.id, 'state.json');
  const rec = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(String(rec.pid), h.ref);
  assert.ok(rec.procStartTicks > 0);
  assert.equal((await d.inspect(h))?.running, true);
  // Same pid, different start time: another process now owns that pid.
  writeFileSync(file, JSON.stringify({ ...rec, procStartTicks: rec.procStartTicks + 1 }));
  const st = await newDriver().inspect(h);
  assert.equal(st?.running, false);
  assert.match(st!.error!, /exit code is unknown/);
  writeFileSync(file, JSON.stringify(rec));
  await d.remove(h);
  assert.equal(existsSync(join(dataDir, 'tasks', t.id)), false);
});

test('start is idempotent per task: a second start returns the running process', async () => {
  const d = newDriver();
  const t = makeTask({ driver: 'exec', command: ['sleep', '60'] });
  const a = await d.start(t);
  const b = await d.start(t);
  assert.deepEqual(a, b);
  await d.remove(a);
});

test('log files live in their own directory, rotate by size, and the process keeps writing to the live file', async () => {
  const logDir = mkdtempSync(join(tmpdir(), 'shoal-logs-'));
  after(() => rmSync(logDir, { recursive: true, force: true }));
  const d = newDriver({ rotation: { maxBytes: 2000, maxFiles: 2 }, logDir });
  const t = makeTask({ driver: 'exec', command: ['/bin/sh', '-c', 'i=0; while [ $i -lt 400 ]; do echo "line $i padding padding"; i=$((i+1)); sleep 0.005; done; sleep 60'] });
  const h = await d.start(t);
  const out = join(logDir, t.id, 'stdout.log');
  assert.equal(existsSync(join(dataDir, 'tasks', t.id, 'stdout.log')), false, 'no task output next to the store');
  assert.equal(statSync(out).mode & 0o777, 0o600);
  await waitFor('a rotated file', () => existsSync(`${out}.1`), { timeoutMs: 20_000 });
  await waitFor('all lines written', async () => readFileSync(out, 'utf8').includes('line 399') || readFileSync(`${out}.1`, 'utf8').includes('line 399'), { timeoutMs: 20_000 });
  await new Promise((r) => setTimeout(r, 1200)); // one more rotation pass
  assert.ok(statSync(out).size <= 2000 + 200, `live file ${statSync(out).size} bytes`);
  assert.ok(!existsSync(`${out}.3`), 'at most maxFiles rotated files');
  await d.remove(h);
  assert.equal(existsSync(join(logDir, t.id)), false, 'removing the task removes its logs');
});

// Issue 13 §4: one task's output filled the disk holding the Raft store and the agent restart-looped.
test('below the reserve of free space, task logs are truncated instead of rotated, and the task runs on', async () => {
  const logDir = mkdtempSync(join(tmpdir(), 'shoal-logs-'));
  after(() => rmSync(logDir, { recursive: true, force: true }));
  // A reserve larger than any disk: the log disk is always "short".
  const d = newDriver({ rotation: { maxBytes: 2000, maxFiles: 2 }, logDir, reserveBytes: Number.MAX_SAFE_INTEGER });
  const t = makeTask({ driver: 'exec', command: ['/bin/sh', '-c', 'while true; do echo "chatty chatty chatty chatty"; sleep 0.002; done'] });
  const h = await d.start(t);
  const out = join(logDir, t.id, 'stdout.log');
  await waitFor('some output', () => existsSync(out) && statSync(out).size > 0, { timeoutMs: 10_000 });
  await new Promise((r) => setTimeout(r, 2500)); // two rotation passes
  assert.equal(existsSync(`${out}.1`), false, 'no copies while space is short');
  assert.ok(statSync(out).size < 64 * 1024, `live file ${statSync(out).size} bytes`);
  assert.equal((await d.inspect(h))?.running, true);
  await d.remove(h);
});

test('rotateIfLarge keeps the newest content in .1 and empties the live file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-rot-'));
  const f = join(dir, 'x.log');
  writeFileSync(f, 'a'.repeat(50));
  assert.equal(rotateIfLarge(f, { maxBytes: 100, maxFiles: 1 }), false);
  writeFileSync(f, 'b'.repeat(150));
  assert.equal(rotateIfLarge(f, { maxBytes: 100, maxFiles: 1 }), true);
  assert.equal(readFileSync(`${f}.1`, 'utf8'), 'b'.repeat(150));
  assert.equal(statSync(f).size, 0);
  rmSync(dir, { recursive: true });
});

test('prepare refuses a program that is not on this node, and a spec without a command', async () => {
  const d = newDriver();
  await assert.rejects(d.prepare(makeTask({ driver: 'exec', command: ['no-such-program-xyz'] })), (e: ShoalError) => e.code === ErrorCode.NotFound && /no-such-program-xyz/.test(e.message));
  await assert.rejects(d.prepare(makeTask({ driver: 'exec' })), (e: ShoalError) => e.code === ErrorCode.InvalidSpec);
  await assert.rejects(d.prepare(makeTask({ driver: 'exec', command: ['sh'], workdir: '/no/such/dir' })), (e: ShoalError) => e.code === ErrorCode.NotFound);
  await d.prepare(makeTask({ driver: 'exec', command: ['sh', '-c', 'true'] }));
});

test('stats reports the memory of the task\'s process group', async () => {
  const d = newDriver();
  const h = await d.start(makeTask({ driver: 'exec', command: ['sleep', '60'] }));
  const s = await d.stats(h);
  assert.ok(s && s.memoryBytes > 0 && s.cpuPercent >= 0, JSON.stringify(s));
  await d.remove(h);
  assert.equal(await d.stats(h), null);
});

test('spec.user runs the process as that user, spec.hostname is its HOSTNAME', { skip: process.getuid?.() !== 0 && 'needs root to switch user' }, async () => {
  const d = newDriver();
  const t = makeTask({ driver: 'exec', command: ['/bin/sh', '-c', 'echo "$(id -u):$(id -g) $HOSTNAME"; exit 3'], user: '65534:65534', hostname: 'api-1' });
  const h = await d.start(t);
  const out = join(dataDir, 'task-logs', t.id, 'stdout.log');
  // The agent records the exit code even though the task cannot write the data directory.
  await waitFor('the exit code', async () => (await d.inspect(h))?.exitCode === 3, { timeoutMs: 20_000 });
  assert.equal(readFileSync(out, 'utf8'), '65534:65534 api-1\n');
  await d.remove(h);
});

test('resolveExecUser reads names and numbers from passwd and group files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-passwd-'));
  writeFileSync(join(dir, 'passwd'), 'root:x:0:0::/root:/bin/sh\napp:x:1001:1002::/home/app:/bin/sh\n');
  writeFileSync(join(dir, 'group'), 'root:x:0:\nstaff:x:50:\n');
  const files = { passwd: join(dir, 'passwd'), group: join(dir, 'group') };
  assert.deepEqual(resolveExecUser('app', files), { uid: 1001, gid: 1002 });
  assert.deepEqual(resolveExecUser('app:staff', files), { uid: 1001, gid: 50 });
  assert.deepEqual(resolveExecUser('1001', files), { uid: 1001, gid: 1002 });
  assert.deepEqual(resolveExecUser('4242:7', files), { uid: 4242, gid: 7 });
  assert.throws(() => resolveExecUser('ghost', files), (e: ShoalError) => e.code === ErrorCode.NotFound && /user "ghost" does not exist/.test(e.message));
  assert.throws(() => resolveExecUser('app:nogroup', files), /group "nogroup" does not exist/);
  rmSync(dir, { recursive: true, force: true });
});
