/**
 * Where a joining node gets its join token without putting it on a command
 * line (any local user reads /proc/PID/cmdline and `ps`):
 *   --join-token-file FILE   a file (0600, e.g. written by `shoal cluster token show > FILE`)
 *   --join-token-file -      standard input
 *   SHOAL_JOIN_TOKEN         the environment (/proc/PID/environ is readable by the same user only)
 *   --token TOKEN            still accepted, with a warning
 */
import { readFileSync } from 'node:fs';
import { ErrorCode, ShoalError } from '@shoal/types';

export interface JoinTokenFlags {
  token?: string;
  joinTokenFile?: string;
}

export const TOKEN_ON_CMDLINE_WARNING =
  'warning: --token puts the join token (which carries the cluster key) in /proc/PID/cmdline and `ps`, readable by every local user; use --join-token-file FILE, --join-token-file - (stdin) or SHOAL_JOIN_TOKEN';

/** The join token from the first source given, or undefined when none is; `warn` hears about --token. */
export function readJoinToken(flags: JoinTokenFlags, env: NodeJS.ProcessEnv, warn: (line: string) => void, stdin: () => string = readStdin): string | undefined {
  const given = [flags.token !== undefined, flags.joinTokenFile !== undefined].filter(Boolean).length;
  if (given > 1) throw new ShoalError(ErrorCode.BadConfig, 'give the join token once: --token or --join-token-file, not both');
  let token: string | undefined;
  let from: string;
  if (flags.joinTokenFile !== undefined) {
    from = flags.joinTokenFile === '-' ? 'standard input' : flags.joinTokenFile;
    try {
      token = flags.joinTokenFile === '-' ? stdin() : readFileSync(flags.joinTokenFile, 'utf8');
    } catch (err) {
      throw new ShoalError(ErrorCode.BadConfig, `cannot read the join token from ${from}: ${(err as Error).message}`);
    }
  } else if (flags.token !== undefined) {
    warn(TOKEN_ON_CMDLINE_WARNING);
    from = '--token';
    token = flags.token;
  } else if (env.SHOAL_JOIN_TOKEN !== undefined) {
    from = 'SHOAL_JOIN_TOKEN';
    token = env.SHOAL_JOIN_TOKEN;
  } else {
    return undefined;
  }
  token = token.trim();
  if (token === '') throw new ShoalError(ErrorCode.BadConfig, `the join token from ${from} is empty; get it with \`shoal cluster token show\` on a member`);
  return token;
}

function readStdin(): string {
  return readFileSync(0, 'utf8');
}
