/**
 * Entry point behind bin/shoal.js: run the program, turn every failure into
 * one line `Error: <message>` (or `{"error": {...}}` with --json) and exit 1.
 * Stack traces only with SHOAL_DEBUG=1.
 */
import { CommanderError } from 'commander';
import { isShoalError } from '@shoal/types';
import { buildProgram, type ExtraCommands } from './program.js';
import { processOutput, type Output } from './output.js';

export interface RunOptions {
  extra?: ExtraCommands;
  output?: Output;
  env?: NodeJS.ProcessEnv;
}

/** Runs the CLI with process-style argv (node, script, ...args); resolves to the exit code. */
export async function run(argv: string[], opts: RunOptions = {}): Promise<number> {
  const output = opts.output ?? processOutput;
  const env = opts.env ?? process.env;
  const program = buildProgram(opts.extra, { output, env });
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // commander already printed usage help
    const code = isShoalError(err) ? err.code : 'INTERNAL';
    const message = err instanceof Error ? err.message : String(err);
    if (argv.includes('--json')) output.out(JSON.stringify({ error: { code, message } }));
    else output.err(`Error: ${message}`);
    if (env.SHOAL_DEBUG === '1' && err instanceof Error && err.stack) output.err(err.stack);
    return 1;
  }
}

export async function main(argv: string[] = process.argv, extra?: ExtraCommands): Promise<void> {
  process.exitCode = await run(argv, { extra });
}
