/**
 * The composition root of the `shoal` binary: the CLI's command tree plus
 * the daemon's `agent` command. This is the only package that knows both;
 * `cli` talks only to the API client and `daemon` knows nothing of the CLI.
 */
import { main as cliMain } from '@shoal/cli';
import { agentCommand } from './agent-command.js';
import { recoverCommand } from './recover-command.js';

export function main(argv: string[] = process.argv): Promise<void> {
  return cliMain(argv, (program) => {
    program.addCommand(agentCommand());
    program.commands.find((c) => c.name() === 'cluster')?.addCommand(recoverCommand());
  });
}
