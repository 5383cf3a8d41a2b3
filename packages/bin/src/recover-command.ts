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
    .description('after quorum loss: make this STOPPED node a single-voter cluster with the same id, keys and state; the other survivors rejoin')
    .requiredOption('--data-dir <dir>', 'data dir of the stopped agent to recover (run on the survivor with the longest log)')
    .option('--peer <host:port>', 'admin API of another survivor to compare logs with, repeatable', collect, [])
    .option('--peer-token-file <file>', 'API token for --peer (default: SHOAL_TOKEN, else this data dir\'s api.token)')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (o: { dataDir: string; peer: string[]; peerTokenFile?: string; yes?: boolean }) => {
      const { recoverDataDir } = await import('@shoal/daemon/recover');
      let token = process.env.SHOAL_TOKEN;
      const file = o.peerTokenFile ?? (token ? undefined : `${o.dataDir}/api.token`);
      if (file) token = readFileSync(file, 'utf8').trim();
      const res = await recoverDataDir({
        dataDir: o.dataDir,
        peers: o.peer,
        token,
        yes: !!o.yes,
        out: (line) => console.log(line),
        confirm: ask,
      });
      if (!res.recovered && res.plan) process.exitCode = 1;
    });
}
