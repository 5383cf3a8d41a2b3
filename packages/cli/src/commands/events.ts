import { Command } from 'commander';
import { clientOf, type CliContext } from './context.js';

export function eventsCommand(ctx: CliContext): Command {
  return new Command('events')
    .description('print committed changes as they happen (Ctrl-C to stop)')
    .option('--json', 'print one JSON object per line')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      try {
        for await (const e of client.events(abort.signal)) {
          ctx.output.out(opts.json ? JSON.stringify(e) : `${new Date(e.at).toISOString()}  ${String(e.index).padStart(6)}  ${e.type.padEnd(18)} ${e.subject}  ${e.summary}`);
        }
      } finally {
        process.off('SIGINT', stop);
      }
    });
}
