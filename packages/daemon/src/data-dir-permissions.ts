/**
 * The data dir holds the cluster key (cluster.json), the API token, the
 * libp2p identity, the Raft log (every service spec with its environment
 * values) and task state. At every start it is made private again: 0700 on
 * every directory, 0600 on every file, whatever a restore, an editor or a
 * umask did since. If that fails the node refuses to start and prints the
 * command that fixes it: running with readable secrets is worse than not
 * running.
 */
import { chmodSync, lstatSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, ShoalError } from '@shoal/types';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** The file-system calls used; injectable so a test can make them fail as root. */
export interface PermissionFs {
  lstat(path: string): Stats;
  readdir(path: string): string[];
  chmod(path: string, mode: number): void;
}

const realFs: PermissionFs = { lstat: (p) => lstatSync(p), readdir: (p) => readdirSync(p), chmod: (p, m) => chmodSync(p, m) };

/** Shell-quotes a path for the fix command. */
function q(path: string): string {
  return `'${path.replace(/'/g, `'\\''`)}'`;
}

/** Makes `root` and everything under it private; returns how many modes it changed. */
export function enforcePrivate(root: string, fs: PermissionFs = realFs): { changed: number } {
  let changed = 0;
  const visit = (path: string) => {
    let st: Stats;
    try {
      st = fs.lstat(path);
    } catch (err) {
      // Removed meanwhile (a rotated log): nothing left to protect.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw refuse(root, path, err);
    }
    // Symlinks, sockets and fifos are left alone: chmod would follow a link out of the data dir.
    if (!st.isDirectory() && !st.isFile()) return;
    const want = st.isDirectory() ? DIR_MODE : FILE_MODE;
    if ((st.mode & 0o777) !== want) {
      try {
        fs.chmod(path, want);
        changed++;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw refuse(root, path, err);
      }
    }
    if (st.isDirectory()) {
      let names: string[];
      try {
        names = fs.readdir(path);
      } catch (err) {
        throw refuse(root, path, err);
      }
      for (const name of names) visit(join(path, name));
    }
  };
  visit(root);
  return { changed };
}

function refuse(root: string, path: string, err: unknown): ShoalError {
  const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return new ShoalError(
    ErrorCode.BadConfig,
    `data dir ${root} holds the cluster key and tokens and must be private, but ${path} cannot be made so (${why}); ` +
      `fix it with: chmod -R u+rwX,go-rwx ${q(root)} (if its files belong to another user, first: chown -R "$(id -un)" ${q(root)}), then start again`,
    { path, fix: `chmod -R u+rwX,go-rwx ${q(root)}` },
  );
}
