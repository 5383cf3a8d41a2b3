/**
 * `spec.user` for the exec driver: "USER[:GROUP]" by name or number,
 * resolved against this node's /etc/passwd and /etc/group as `docker run
 * --user` resolves it inside an image. Switching user needs the agent to
 * run as root; otherwise the task is refused with a message saying so.
 */
import { readFileSync } from 'node:fs';
import { ErrorCode, ShoalError } from '@shoal/types';

export interface ExecUser {
  uid: number;
  gid: number;
}

function table(path: string): string[][] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(':'));
  } catch {
    return [];
  }
}

function notFound(what: string, name: string): ShoalError {
  return new ShoalError(ErrorCode.NotFound, `exec driver: ${what} "${name}" does not exist on this node; create it or change spec.user`);
}

export function resolveExecUser(user: string, files = { passwd: '/etc/passwd', group: '/etc/group' }): ExecUser {
  const [u, g] = user.split(':');
  const passwd = table(files.passwd);
  let uid: number;
  let gid: number | undefined;
  if (/^\d+$/.test(u)) {
    uid = Number(u);
    const row = passwd.find((r) => r[2] === u);
    if (row) gid = Number(row[3]);
  } else {
    const row = passwd.find((r) => r[0] === u);
    if (!row) throw notFound('user', u);
    uid = Number(row[2]);
    gid = Number(row[3]);
  }
  if (g !== undefined) {
    if (/^\d+$/.test(g)) gid = Number(g);
    else {
      const row = table(files.group).find((r) => r[0] === g);
      if (!row) throw notFound('group', g);
      gid = Number(row[2]);
    }
  }
  return { uid, gid: gid ?? uid };
}

/** Refuses a user switch the agent cannot make. */
export function checkCanSwitch(target: ExecUser, user: string): void {
  const self = process.getuid?.();
  if (self === undefined || self === 0 || (self === target.uid && process.getgid?.() === target.gid)) return;
  throw new ShoalError(ErrorCode.InvalidSpec, `exec driver: running a task as user "${user}" needs the agent to run as root (it runs as uid ${self}); remove spec.user or run the agent as root`);
}
