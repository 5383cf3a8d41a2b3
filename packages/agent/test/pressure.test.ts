import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PressureGauge, parseMeminfo, readPressure } from '../src/index.js';

// The host's figures alone (the agent's own cgroup is read in cgroup-pressure.test.ts).
const noCgroup = async () => null;

test('reads PSI and available memory from a /proc tree', async () => {
  const root = mkdtempSync(join(tmpdir(), 'proc-'));
  mkdirSync(join(root, 'pressure'));
  writeFileSync(join(root, 'meminfo'), 'MemTotal:       8000000 kB\nMemFree:         100000 kB\nMemAvailable:    400000 kB\n');
  writeFileSync(join(root, 'pressure', 'memory'), 'some avg10=31.50 avg60=10.00 avg300=2.00 total=123\nfull avg10=20.00 avg60=1.00 avg300=0.00 total=45\n');
  writeFileSync(join(root, 'pressure', 'cpu'), 'some avg10=4.25 avg60=1.00 avg300=0.50 total=99\n');
  assert.deepEqual(await readPressure(root, noCgroup), { memorySome10: 31.5, cpuSome10: 4.25, memoryAvailablePercent: 5 });
});

test('without PSI memory pressure reads 0 and without meminfo there is no sample', async () => {
  const root = mkdtempSync(join(tmpdir(), 'proc-'));
  writeFileSync(join(root, 'meminfo'), 'MemTotal: 1000 kB\nMemAvailable: 500 kB\n');
  const s = await readPressure(root, noCgroup);
  assert.equal(s?.memorySome10, 0);
  assert.equal(s?.memoryAvailablePercent, 50);
  assert.equal(await readPressure(join(root, 'nothing'), noCgroup), null);
  assert.equal(parseMeminfo('garbage'), null);
});

test('the gauge reads at most once per period and never blocks', async () => {
  let reads = 0;
  const g = new PressureGauge(1000, async () => {
    reads++;
    return { memorySome10: reads, cpuSome10: 0, memoryAvailablePercent: 50 };
  });
  assert.equal(g.current(0), null, 'the first call starts a read and returns what it has');
  await new Promise((r) => setImmediate(r));
  assert.equal(g.current(500)?.memorySome10, 1);
  assert.equal(reads, 1);
  g.current(1000);
  await new Promise((r) => setImmediate(r));
  assert.equal(reads, 2);
});
