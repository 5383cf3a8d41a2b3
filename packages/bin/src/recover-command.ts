/**
 * `shoal cluster recover`: guided recovery from quorum loss on a stopped
 * agent's data dir. Lives here (not in the CLI package) because it opens the
 * Raft store directly; the daemon code is loaded only when it runs.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';

const collect = (v: string, prev: string[]) => [...prev, v];

async function ask(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export function recoverCommand(): Command {
  return new Command('recover')
    .description('after quorum loss (with --data-dir DIR of a STOPPED agent): make that node a single-voter cluster with the same id, keys and state; the other survivors rejoin')
    .option('--peer <host:port>', 'admin API of another survivor to compare logs with, repeatable', collect, [])
    .option('--peer-token-file <file>', 'API token for --peer: a cluster token (any role), or that survivor\'s own api.token; default: SHOAL_TOKEN')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (_opts, cmd: Command) => {
      // --data-dir is the program's global option (the stopped agent's data dir).
      const o = cmd.optsWithGlobals<{ dataDir?: string; peer: string[]; peerTokenFile?: string; yes?: boolean }>();
      const dataDir = o.dataDir ?? process.env.SHOAL_DATA_DIR;
      if (!dataDir) throw new Error('cluster recover needs --data-dir DIR: the data dir of the stopped agent to recover');
      const { recoverDataDir } = await import('@shoal/daemon/recover');
      const token = o.peerTokenFile ? readFileSync(o.peerTokenFile, 'utf8').trim() : process.env.SHOAL_TOKEN;
      // This node's own api.token is valid only on this node, so it cannot stand in for a peer's.
      if (o.peer.length > 0 && !token) {
        throw new Error('--peer needs a token that survivor accepts: SHOAL_TOKEN=<cluster token> (`shoal token create`, any role) or --peer-token-file FILE');
      }
      const res = await recoverDataDir({
        dataDir,
        peers: o.peer,
        token,
        yes: !!o.yes,
        out: (line) => console.log(line),
        confirm: ask,
      });
      if (!res.recovered && res.plan) process.exitCode = 1;
    });
}
