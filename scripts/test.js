// Runs every compiled unit/integration test with node's test runner.
// Usage: node scripts/test.js [package ...]   (default: all packages)
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const only = process.argv.slice(2);
const pkgs = readdirSync('packages').filter((p) => only.length === 0 || only.includes(p));
const globs = pkgs.filter((p) => existsSync(join('packages', p, 'dist', 'test'))).map((p) => `packages/${p}/dist/test/**/*.test.js`);
if (globs.length === 0) {
  console.error('no compiled tests found: run `npm run build` first');
  process.exit(1);
}
const res = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=300000', ...globs], { stdio: 'inherit' });
process.exit(res.status ?? 1);
