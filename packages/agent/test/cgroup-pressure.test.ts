import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { availableUnderLimit, parseLimit, parseSelfCgroup, readOwnCgroup, statValue } from '../src/cgroup-pressure.js';
import { readPressure } from '../src/pressure.js';

const MiB = 1024 * 1024;
const HOST = 24 * 1024 * MiB;
const PSI_MEM = 'some avg10=42.00 avg60=10.00 avg300=2.00 total=123\nfull avg10=20.00 avg60=1.00 avg300=0.00 total=45\n';
const PSI_CPU = 'some avg10=7.50 avg60=1.00 avg300=0.50 total=99\n';

test('parses /proc/self/cgroup in v1, hybrid and v2 layouts', () => {
  const hybrid = '9:name=systemd:/docker/abc\n4:memory:/docker/abc\n1:cpu,cpuacct:/docker/abc\n0::/docker/abc\n';
  assert.deepEqual(parseSelfCgroup(hybrid), { memoryV1: '/docker/abc', unified: '/docker/abc' });
  assert.deepEqual(parseSelfCgroup('0::/\n'), { unified: '/' });
  assert.deepEqual(parseSelfCgroup('5:cpuset,memory:/lxc/m1\n'), { memoryV1: '/lxc/m1' });
  assert.deepEqual(parseSelfCgroup('garbage\n\n'), {});
});

test('a limit is a number below 2^62; "max" and v1 "unlimited" are none', () => {
  assert.equal(parseLimit('268435456\n'), 256 * MiB);
  assert.equal(parseLimit('max\n'), null);
  assert.equal(parseLimit('9223372036854771712\n'), null);
  assert.equal(parseLimit('0'), null);
  assert.equal(parseLimit('-1'), null);
  assert.equal(statValue('total_rss 5\ntotal_inactive_file 4096\ninactive_file 7\n', 'total_inactive_file'), 4096);
  assert.equal(statValue('inactive_file 7\n', 'total_inactive_file'), 0);
});

test('available memory counts the working set (usage minus inactive file pages) against the limit', () => {
  assert.equal(availableUnderLimit(1000, 970, 0), 3);
  assert.equal(availableUnderLimit(1000, 970, 470), 50, 'reclaimable page cache is not pressure');
  assert.equal(availableUnderLimit(1000, 1200, 0), 0);
});

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'cgroup-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test('hybrid v1/v2 (a Docker-in-Docker node): v1 memory limit and usage, v2 PSI under unified/', async () => {
  const root = tree({
    'self': '4:memory:/docker/n2\n0::/docker/n2\n',
    'init': '4:memory:/docker/n2\n0::/docker/n2\n',
    'fs/memory/docker/n2/memory.limit_in_bytes': `${1000 * MiB}\n`,
    'fs/memory/docker/n2/memory.usage_in_bytes': `${980 * MiB}\n`,
    'fs/memory/docker/n2/memory.stat': `total_rss ${900 * MiB}\ntotal_inactive_file ${10 * MiB}\n`,
    'fs/unified/cgroup.procs': '',
    'fs/unified/docker/n2/memory.pressure': PSI_MEM,
    'fs/unified/docker/n2/cpu.pressure': PSI_CPU,
    'fs/unified/docker/n2/cpu.stat': 'usage_usec 755601\nuser_usec 755601\nsystem_usec 0\n',
  });
  const r = await readOwnCgroup(HOST, join(root, 'fs'), join(root, 'self'), join(root, 'init'));
  assert.equal(r?.memoryAvailablePercent, 3);
  assert.equal(r?.memoryPsi, PSI_MEM);
  assert.equal(r?.cpuPsi, PSI_CPU);
  assert.equal(r?.cpuUsageSeconds, 0.755601, 'the unified cgroup counts CPU time even with the cpu controller on v1');
  assert.equal(r?.cpuLimitCores, null);
});

test('pure v2: memory.max, memory.current and inactive_file of the own cgroup', async () => {
  const root = tree({
    'self': '0::/machine/n1\n',
    'init': '0::/machine/n1\n',
    'fs/cgroup.controllers': 'cpu memory\n',
    'fs/machine/n1/memory.max': `${2000 * MiB}\n`,
    'fs/machine/n1/memory.current': `${1500 * MiB}\n`,
    'fs/machine/n1/memory.stat': `anon ${900 * MiB}\ninactive_file ${500 * MiB}\n`,
    'fs/machine/n1/memory.pressure': PSI_MEM,
    'fs/machine/n1/cpu.max': '200000 100000\n',
  });
  const r = await readOwnCgroup(HOST, join(root, 'fs'), join(root, 'self'), join(root, 'init'));
  assert.equal(r?.memoryAvailablePercent, 50);
  assert.equal(r?.cpuLimitCores, 2);
  assert.equal(r?.cpuUsageSeconds, null);
  assert.equal(r?.memoryPsi, PSI_MEM);
  assert.equal(r?.cpuPsi, null);
});

test('a machine container without a memory limit: its PSI, and the host memory figure (null here)', async () => {
  const root = tree({ 'self': '0::/m\n', 'init': '0::/m\n', 'fs/cgroup.controllers': '', 'fs/m/memory.max': 'max\n', 'fs/m/memory.current': '5\n', 'fs/m/cpu.pressure': PSI_CPU });
  const r = await readOwnCgroup(HOST, join(root, 'fs'), join(root, 'self'), join(root, 'init'));
  assert.equal(r?.memoryAvailablePercent, null);
  assert.equal(r?.cpuPsi, PSI_CPU);
  const big = tree({ 'self': '0::/m\n', 'init': '0::/m\n', 'fs/cgroup.controllers': '', 'fs/m/memory.max': `${HOST * 2}\n`, 'fs/m/memory.current': '5\n' });
  assert.equal((await readOwnCgroup(HOST, join(big, 'fs'), join(big, 'self'), join(big, 'init')))?.memoryAvailablePercent, null, 'a limit above the machine is none');
});

test('not a machine container: systemd host (PID 1 elsewhere), the root cgroup, or nothing readable: null', async () => {
  const files = { 'fs/cgroup.controllers': '', 'fs/system.slice/shoal.service/memory.max': `${1000 * MiB}\n`, 'fs/system.slice/shoal.service/memory.current': '5\n' };
  const systemd = tree({ ...files, 'self': '0::/system.slice/shoal.service\n', 'init': '0::/init.scope\n' });
  assert.equal(await readOwnCgroup(HOST, join(systemd, 'fs'), join(systemd, 'self'), join(systemd, 'init')), null, 'a limit on the agent service alone is not the machine');
  const rootCg = tree({ 'self': '0::/\n', 'init': '0::/\n', 'fs/cgroup.controllers': '' });
  assert.equal(await readOwnCgroup(HOST, join(rootCg, 'fs'), join(rootCg, 'self'), join(rootCg, 'init')), null);
  assert.equal(await readOwnCgroup(HOST, join(rootCg, 'nothing'), join(rootCg, 'no-self'), join(rootCg, 'no-init')), null);
});

test('readPressure prefers the own cgroup: its PSI, and the lower of the two available figures', async () => {
  const proc = tree({
    'meminfo': 'MemTotal:       8000000 kB\nMemAvailable:    4000000 kB\n',
    'pressure/memory': 'some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n',
    'pressure/cpu': 'some avg10=1.00 avg60=0.00 avg300=0.00 total=0\n',
  });
  let asked = 0;
  const s = await readPressure(proc, async (total) => {
    asked = total;
    return { path: '/x', memoryAvailablePercent: 3, memoryPsi: PSI_MEM, cpuPsi: null, cpuUsageSeconds: null, cpuLimitCores: null };
  });
  assert.equal(asked, 8000000 * 1024, 'the limit is compared with the machine memory');
  assert.deepEqual(s, { memorySome10: 42, cpuSome10: 1, memoryAvailablePercent: 3 });
  const broken = await readPressure(proc, async () => {
    throw new Error('EACCES');
  });
  assert.deepEqual(broken, { memorySome10: 0, cpuSome10: 1, memoryAvailablePercent: 50 });
});
