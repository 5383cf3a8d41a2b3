#!/usr/bin/env node
// Launcher: refuse old Node with a clear message (libp2p needs >= 22) before
// loading any ES2023 code that would fail with an obscure syntax error.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  process.stderr.write(`Error: shoal needs Node.js 22 or newer; this is ${process.versions.node}. Install Node 22+ (or run it via npx from the repo, which uses node_modules/.bin/node).\n`);
  process.exit(1);
}

// The CLI and the daemon's `agent` command, wired in src/main.ts.
import('./dist/src/main.js')
  .then((bin) => bin.main(process.argv))
  .catch((err) => {
    process.stderr.write(`Error: ${err && err.message ? err.message : err}\n`);
    if (process.env.SHOAL_DEBUG === '1' && err && err.stack) process.stderr.write(err.stack + '\n');
    process.exit(1);
  });
