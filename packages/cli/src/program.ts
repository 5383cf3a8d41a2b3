/**
 * The `shoal` command tree. The `shoal` binary (packages/bin) adds the
 * daemon's `agent` command through the `extra` hook, so the CLI never
 * depends on the daemon:
 *   buildProgram((program) => program.addCommand(agentCommand()))
 */
import { Command } from 'commander';
import { processOutput } from './output.js';
import { serviceCommand } from './commands/service.js';
import { nodeCommand } from './commands/node.js';
import { taskCommand } from './commands/task.js';
import { clusterCommand } from './commands/cluster.js';
import { eventsCommand } from './commands/events.js';
import { stackCommand } from './commands/stack.js';
import { networkCommand } from './commands/network.js';
import { jobCommand } from './commands/job.js';
import { tokenCommand } from './commands/token.js';
import { completionCommand } from './commands/completion.js';
import { secretLikeCommand } from './commands/secret.js';
import { registryCommand } from './commands/registry.js';
import { volumeCommand } from './commands/volume.js';
import { initCommand, joinCommand } from './commands/init-join.js';
import { contextCommand } from './commands/context-command.js';
import type { CliContext } from './commands/context.js';
import { DEFAULT_HOST } from './connection.js';

export type ExtraCommands = (program: Command) => void;

export const VERSION = '0.1.0';

export function buildProgram(extra?: ExtraCommands, ctx: Partial<CliContext> = {}): Command {
  const context: CliContext = { output: ctx.output ?? processOutput, env: ctx.env ?? process.env, now: ctx.now ?? Date.now, ...(ctx.readInput ? { readInput: ctx.readInput } : {}) };
  const program = new Command('shoal')
    .description('shoal: a peer-to-peer container orchestrator')
    .version(VERSION)
    .option('-H, --host <url>', `admin API of a node (env SHOAL_HOST; default ${DEFAULT_HOST})`)
    .option('--token-file <file>', 'file holding the API token (env SHOAL_TOKEN holds the token itself)')
    .option('--data-dir <dir>', 'node data dir whose api.token to use (env SHOAL_DATA_DIR; default ./shoal-data)')
    .option('--context <name>', 'a saved context: server, pinned CA, token (env SHOAL_CONTEXT; default: the current one unless --host)')
    .option('--ca <file>', 'trust only this CA certificate for https (env SHOAL_CA)')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  program.configureOutput({
    writeOut: (s) => context.output.out(s.replace(/\n$/, '')),
    writeErr: (s) => context.output.err(s.replace(/\n$/, '')),
  });
  program.addCommand(serviceCommand(context));
  program.addCommand(nodeCommand(context));
  program.addCommand(taskCommand(context));
  program.addCommand(clusterCommand(context));
  program.addCommand(eventsCommand(context));
  program.addCommand(stackCommand(context));
  program.addCommand(secretLikeCommand(context, 'secret'));
  program.addCommand(secretLikeCommand(context, 'config'));
  program.addCommand(registryCommand(context));
  program.addCommand(volumeCommand(context));
  program.addCommand(networkCommand(context));
  program.addCommand(jobCommand(context));
  program.addCommand(tokenCommand(context));
  program.addCommand(completionCommand(context, () => program));
  program.addCommand(initCommand(context));
  program.addCommand(joinCommand(context));
  program.addCommand(contextCommand(context));
  extra?.(program);
  inheritSettings(program);
  return program;
}

/** addCommand() does not copy exitOverride/output to ready-made subcommands; do it once for the whole tree. */
function inheritSettings(parent: Command): void {
  for (const child of parent.commands) {
    child.copyInheritedSettings(parent);
    inheritSettings(child);
  }
}
