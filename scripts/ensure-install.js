// Runs `npm ci` when the dependencies (and the Node 24 they bring) are not
// installed yet, so `npm run demo` and `npm test` work on a fresh clone.
// Written for any Node npm may run on (the machine's may be older than 22).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

if (!existsSync('node_modules/.bin/node') || !existsSync('node_modules/.bin/tsc')) {
  console.log('shoal: installing dependencies (npm ci) ...');
  const res = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
}
