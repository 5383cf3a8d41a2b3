/** Runs the host's network tools (`ip`, `bridge`, `nft`, `iptables`) with a deadline, as a coded error on failure. */
import { execFile } from 'node:child_process';
import { ErrorCode, ShoalError } from '@shoal/types';

export type RunCommand = (file: string, args: string[], input?: string) => Promise<string>;

const TIMEOUT_MS = 10_000;

export const runCommand: RunCommand = (file, args, input) =>
  new Promise((resolve, reject) => {
    const child = execFile(file, args, { timeout: TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return reject(new ShoalError(ErrorCode.DriverUnavailable, `${file} is not installed on this node`, { file }));
      reject(new ShoalError(ErrorCode.Internal, `${file} ${args.join(' ')} failed: ${String(stderr).trim() || err.message}`, { file }));
    });
    if (input !== undefined) child.stdin?.end(input);
  });

/** Tools networking needs, with the Debian package that provides each. */
const TOOLS: [string, string[], string][] = [
  ['nft', ['--version'], 'nftables'],
  ['ip', ['-V'], 'iproute2'],
  ['bridge', ['-V'], 'iproute2'],
];

/** Fails with one clear error naming the missing package(s), or the flag that turns networking off. */
export async function checkNetworkTools(run: RunCommand = runCommand): Promise<void> {
  const missing: string[] = [];
  for (const [file, args, pkg] of TOOLS) {
    try {
      await run(file, args);
    } catch {
      if (!missing.includes(pkg)) missing.push(pkg);
    }
  }
  if (missing.length > 0) {
    throw new ShoalError(
      ErrorCode.BadConfig,
      `service networking needs the ${missing.map((p) => `\`${p}\``).join(' and ')} package${missing.length > 1 ? 's' : ''} (apt-get install ${missing.join(' ')}); ` +
        'install it, or start the agent with --network off to run without service networking (no VIPs, DNS names or routing mesh)',
      { setting: 'network', missing },
    );
  }
}
