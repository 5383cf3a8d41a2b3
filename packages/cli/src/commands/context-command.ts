/**
 * `shoal context add|ls|use|rm`: named connections (server, pinned cluster
 * CA, token) so commands reach a remote cluster over TLS without flags.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { ErrorCode, ShoalError } from '@shoal/types';
import { normalizeHost } from '../connection.js';
import { CONTEXT_NAME, loadContexts, readCaFile, saveContexts, type CliContextEntry } from '../contexts.js';
import { json, table } from '../output.js';
import type { CliContext } from './context.js';

function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export function contextCommand(ctx: CliContext): Command {
  const context = new Command('context').description('named connections to clusters: server, pinned CA, token');

  context
    .command('add')
    .argument('<name>')
    // --ca and --token-file are the global options (commander gives them to the program): here they say what to store.
    .description('add (or replace) a context: --server URL, --ca FILE (the cluster CA to pin; required for https), --token-file FILE (stored in the 0600 contexts file)')
    .requiredOption('--server <url>', 'a node\'s admin API, e.g. https://10.0.0.1:7070')
    .option('--use', 'make it the current context')
    .action((name: string, local: { server: string; use?: boolean }, cmd: Command) => {
      const opts = { ...local, ca: cmd.optsWithGlobals<{ ca?: string }>().ca };
      if (!CONTEXT_NAME.test(name)) throw new ShoalError(ErrorCode.BadConfig, `context name "${name}": letters, digits, - _ . up to 63`);
      const server = normalizeHost(opts.server);
      const https = server.startsWith('https://');
      if (https && !opts.ca) throw new ShoalError(ErrorCode.BadConfig, 'an https server needs --ca FILE: the cluster CA to pin (`shoal cluster ca > ca.pem` on a node)');
      if (!https && !isLoopbackUrl(server)) {
        throw new ShoalError(ErrorCode.BadConfig, `${server} is plain http off loopback: the token would cross the network in clear; use https://... with --ca`);
      }
      const entry: CliContextEntry = { server };
      if (opts.ca) entry.ca = readCaFile(opts.ca);
      const tokenFile = cmd.optsWithGlobals<{ tokenFile?: string }>().tokenFile;
      if (tokenFile) {
        const token = readFileSync(tokenFile, 'utf8').trim();
        if (token === '') throw new ShoalError(ErrorCode.BadConfig, `token file ${tokenFile} is empty`);
        entry.token = token;
      }
      const store = loadContexts(ctx.env);
      store.contexts[name] = entry;
      if (opts.use || store.current === undefined) store.current = name;
      const file = saveContexts(ctx.env, store);
      ctx.output.out(`context ${name} saved in ${file}${store.current === name ? ' (current)' : ''}\n`);
    });

  context
    .command('ls')
    .description('list contexts; * marks the current one')
    .option('--json', 'print JSON (without tokens and CA certificates)')
    .action((opts: { json?: boolean }) => {
      const store = loadContexts(ctx.env);
      const rows = Object.entries(store.contexts).map(([name, c]) => ({ name, current: name === store.current, server: c.server, ca: c.ca ? 'pinned' : '-', token: c.token ? 'stored' : '-' }));
      ctx.output.out(opts.json ? json(rows) : table(['', 'NAME', 'SERVER', 'CA', 'TOKEN'], rows.map((r) => [r.current ? '*' : '', r.name, r.server, r.ca, r.token])));
    });

  context
    .command('use')
    .argument('<name>')
    .description('make a context the current one (commands without --host use it)')
    .action((name: string) => {
      const store = loadContexts(ctx.env);
      if (!Object.hasOwn(store.contexts, name)) throw new ShoalError(ErrorCode.NotFound, `no context named ${name}; list them with \`shoal context ls\``);
      store.current = name;
      saveContexts(ctx.env, store);
      ctx.output.out(`current context: ${name}\n`);
    });

  context
    .command('rm')
    .argument('<name>')
    .description('remove a context')
    .action((name: string) => {
      const store = loadContexts(ctx.env);
      if (!Object.hasOwn(store.contexts, name)) throw new ShoalError(ErrorCode.NotFound, `no context named ${name}`);
      delete store.contexts[name];
      if (store.current === name) delete store.current;
      saveContexts(ctx.env, store);
      ctx.output.out(`context ${name} removed\n`);
    });
  return context;
}
