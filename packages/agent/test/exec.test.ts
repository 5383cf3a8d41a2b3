import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { ExecDriver } from '../src/exec-driver.js';
import type { Driver } from '../src/driver.js';
import { runDriverConformance } from './conformance.js';

const dataDir = mkdtempSync(join(tmpdir(), 'shoal-exec-conf-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

runDriverConformance({
  name: 'exec',
  skip: process.platform === 'linux' ? false : 'the exec driver needs Linux (/proc)',
  makeDriver: (nodeId) => new ExecDriver({ nodeId, dataDir }),
  baseSpec: { driver: 'exec' },
  close: (d: Driver) => (d as ExecDriver).close(),
});
