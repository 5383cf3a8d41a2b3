import type { Command } from 'commander';
import type { ShoalClient } from '@shoal/api';
import { connect, type ConnectionFlags } from '../connection.js';
import type { Output } from '../output.js';
import { parseDuration } from '../units.js';

/** What commands need from the outside world; injected so they can be tested. */
export interface CliContext {
  output: Output;
  env: NodeJS.ProcessEnv;
  now: () => number;
  /** Reads a file, or standard input for "-" (secret values); default: the real ones. */
  readInput?: (file: string) => Buffer;
}

export function clientOf(cmd: Command, ctx: CliContext): ShoalClient {
  return connect(cmd.optsWithGlobals<ConnectionFlags>(), ctx.env);
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Adds --detach/--timeout: commands that change a service follow it until it converges. */
export function followOptions(cmd: Command): Command {
  return cmd
    .option('-d, --detach', 'return at once instead of following the change until it converges')
    .option('--timeout <duration>', 'give up following after this long (exit 1 with the reason)', '120s');
}

export function timeoutOf(opts: { timeout?: string }): number {
  return parseDuration(opts.timeout ?? '120s', '--timeout');
}
