#!/usr/bin/env node
// Launcher: refuse old Node with a clear message (libp2p needs >= 22) before
// loading any ES2023 code that would fail with an obscure syntax error.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  process.stderr.write(`Error: shoal needs Node.js 22 or newer; this is ${process.versions.node}. Install Node 22+ (or run it via npx from the repo, which uses node_modules/.bin/node).\n`);
  process.exit(1);
}

// `agent`, `init` and `join` live in the daemon package. It plugs them in by
// exporting `registerCommands(program)` from `@shoal/daemon/commands`; the CLI
// itself never depends on the daemon, and works without it. The daemon is
// heavy to load (libp2p, LevelDB), so the CLI's own commands skip it.
const OWN_COMMANDS = new Set(['service', 'node', 'cluster', 'events', 'stack', 'completion']);
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['-H', '--host', '--token-file', '--data-dir']);

function commandName(args) {
  for (let i = 0; i < args.length; i++) {
    if (GLOBAL_OPTIONS_WITH_VALUE.has(args[i])) i++;
    else if (!args[i].startsWith('-')) return args[i];
  }
  return undefined;
}

async function daemonCommands() {
  if (OWN_COMMANDS.has(commandName(process.argv.slice(2)))) return undefined;
  try {
    const mod = await import('@shoal/daemon/commands');
    return typeof mod.registerCommands === 'function' ? mod.registerCommands : undefined;
  } catch (err) {
    const missing = err && (err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') && String(err.message).includes('@shoal/daemon');
    if (missing) return undefined;
    throw err;
  }
}

Promise.all([import('../dist/src/main.js'), daemonCommands()])
  .then(([cli, extra]) => cli.main(process.argv, extra))
  .catch((err) => {
    process.stderr.write(`Error: ${err && err.message ? err.message : err}\n`);
    if (process.env.SHOAL_DEBUG === '1' && err && err.stack) process.stderr.write(err.stack + '\n');
    process.exit(1);
  });
