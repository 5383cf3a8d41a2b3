import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CpuBusyMeter, parseCpuMax, parseProcStat, parseUsageSeconds, readPressure } from '../src/index.js';

test('/proc/stat: busy is everything but idle and iowait', () => {
  assert.deepEqual(parseProcStat('cpu  100 5 45 800 50 0 0 0 0 0\ncpu0 50 2 20 400 25 0 0 0 0 0\n'), { busy: 150, total: 1000 });
  assert.equal(parseProcStat('intr 1 2 3\n'), null);
  assert.equal(parseProcStat('cpu  1 2\n'), null);
});

test('cgroup cpu.stat usage and cpu.max limits', () => {
  assert.equal(parseUsageSeconds('usage_usec 2500000\nuser_usec 2000000\n'), 2.5);
  assert.equal(parseUsageSeconds('nothing 1\n'), null);
  assert.equal(parseCpuMax('max 100000\n'), null);
  assert.equal(parseCpuMax('150000 100000\n'), 1.5);
  assert.equal(parseCpuMax('garbage'), null);
});

test('the meter reports the busy share over its trailing window, and starts over when a counter goes back', () => {
  const m = new CpuBusyMeter(10_000);
  assert.equal(m.observe(0, { busy: 0, total: 0 }), null, 'one reading is not a rate');
  // 2 cores, 1 busy for 5 s: 50 %.
  assert.equal(m.observe(5000, { busy: 5, total: 10 }), 50);
  for (let t = 6000; t <= 20_000; t += 1000) m.observe(t, { busy: 5 + (t - 5000) / 1000 * 2, total: (t / 1000) * 2 });
  // The window now holds only the last 10 s, in which both cores were busy.
  assert.equal(m.observe(21_000, { busy: 5 + 32, total: 42 }), 100);
  assert.equal(m.observe(22_000, { busy: 1, total: 1 }), null, 'a recreated cgroup: no rate from mixed counters');
  assert.equal(m.observe(23_000, { busy: 1.5, total: 3 }), 25);
});

test('readPressure with a meter: the cgroup usage against its cores, or the host /proc/stat', async () => {
  const root = mkdtempSync(join(tmpdir(), 'proc-'));
  mkdirSync(join(root, 'pressure'));
  writeFileSync(join(root, 'meminfo'), 'MemTotal: 8000000 kB\nMemAvailable: 4000000 kB\n');
  writeFileSync(join(root, 'pressure', 'cpu'), 'some avg10=91.00 avg60=50.00 avg300=10.00 total=9\n');
  const cg = (usage: number) => async () => ({ path: '/n', memoryAvailablePercent: null, memoryPsi: null, cpuPsi: null, cpuUsageSeconds: usage, cpuLimitCores: 0.5 });
  const m = new CpuBusyMeter();
  assert.equal((await readPressure(root, cg(10), m, 0))?.cpuBusyPercent, undefined);
  // Half a core of capacity (cpu.max), 0.25 s used in 2 s: 25 % busy, while PSI says 91 %.
  assert.deepEqual(await readPressure(root, cg(10.25), m, 2000), { memorySome10: 0, cpuSome10: 91, memoryAvailablePercent: 50, cpuBusyPercent: 25 });
  const host = new CpuBusyMeter();
  writeFileSync(join(root, 'stat'), 'cpu  100 0 0 900 0 0 0 0\n');
  await readPressure(root, async () => null, host, 0);
  writeFileSync(join(root, 'stat'), 'cpu  280 0 20 1700 0 0 0 0\n');
  assert.equal((await readPressure(root, async () => null, host, 1000))?.cpuBusyPercent, 20);
});
