/**
 * Delivers a task's secrets and configs as files, just before it starts,
 * and removes them when it ends.
 *
 * Files live under a per-task directory (mode 0700) on a tmpfs (default
 * /dev/shm), never in the data dir, so plaintext never reaches a disk:
 *  - docker: each file is bind-mounted read-only at its target
 *    (default /run/secrets/NAME, mode 0400; configs at their target, 0444);
 *  - exec: the task gets SHOAL_SECRETS_DIR and SHOAL_CONFIGS_DIR, private
 *    directories holding one file per secret/config.
 * The agent keeps no plaintext in memory: it opens a secret from the local
 * replica (the node's own sealed copy) when a task starts and drops it
 * once the file is written.
 */
import { chmod, chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ErrorCode, ShoalError, fileTarget, type FileRef, type Task } from '@shoal/types';

/** Where the plaintext comes from (the daemon: grants in the local replica opened with the node key). */
export interface FileSource {
  /** The value of a secret this node was given for its tasks; waits for the copy up to a deadline. */
  secret(name: string, signal?: AbortSignal): Promise<Buffer>;
  config(name: string): Promise<Buffer>;
}

export interface TaskFilesOptions {
  /** A directory on a tmpfs, private to this agent. */
  baseDir: string;
  source: FileSource;
}

export const SECRETS_DIR_ENV = 'SHOAL_SECRETS_DIR';
export const CONFIGS_DIR_ENV = 'SHOAL_CONFIGS_DIR';

export class TaskFiles {
  constructor(private readonly opts: TaskFilesOptions) {}

  /** Whether a task needs files at all (most do not: no work, no directory). */
  static wanted(task: Task): boolean {
    return (task.spec.secrets?.length ?? 0) > 0 || (task.spec.configs?.length ?? 0) > 0;
  }

  taskDir(taskId: string): string {
    return join(this.opts.baseDir, taskId.replace(/[^A-Za-z0-9_-]/g, '_'));
  }

  /** Writes the files and returns the task as the driver should start it (extra mounts or env). */
  async prepare(task: Task, signal?: AbortSignal): Promise<Task> {
    if (!TaskFiles.wanted(task)) return task;
    const dir = this.taskDir(task.id);
    await mkdir(this.opts.baseDir, { recursive: true, mode: 0o700 });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    const exec = (task.spec.driver ?? 'docker') === 'exec';
    const mounts = [...(task.spec.mounts ?? [])];
    try {
      for (const kind of ['secret', 'config'] as const) {
        const refs = (kind === 'secret' ? task.spec.secrets : task.spec.configs) ?? [];
        for (const ref of refs) {
          const target = fileTarget(kind, ref);
          const rel = exec ? execName(kind, ref) : hostName(target);
          const file = join(dir, `${kind}s`, rel);
          const value = kind === 'secret' ? await this.opts.source.secret(ref.source, signal) : await this.opts.source.config(ref.source);
          await writeFileOwned(file, value, ref, kind === 'secret' ? 0o400 : 0o444);
          value.fill(0); // the agent keeps no copy of the plaintext
          if (!exec) mounts.push({ type: 'bind', source: file, target, readOnly: true });
        }
      }
    } catch (err) {
      await this.release(task.id);
      throw err;
    }
    const spec = exec
      ? { ...task.spec, env: { ...(task.spec.env ?? {}), [SECRETS_DIR_ENV]: join(dir, 'secrets'), [CONFIGS_DIR_ENV]: join(dir, 'configs') } }
      : { ...task.spec, mounts };
    return { ...task, spec };
  }

  /** Removes a task's files (idempotent). */
  async release(taskId: string): Promise<void> {
    await rm(this.taskDir(taskId), { recursive: true, force: true });
  }
}

/** An exec task sees a flat directory: a relative target as given, an absolute one by its base name. */
function execName(kind: 'secret' | 'config', ref: FileRef): string {
  const t = ref.target ?? ref.source;
  return t.startsWith('/') ? basename(fileTarget(kind, ref)) : t;
}

/** Host-side file name for a Docker target: the target path without its leading slash. */
function hostName(target: string): string {
  return target.replace(/^\/+/, '');
}

async function writeFileOwned(file: string, value: Buffer, ref: FileRef, defaultMode: number): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await rm(file, { force: true });
  await writeFile(file, value, { mode: 0o600, flag: 'wx' });
  const uid = Number(ref.uid ?? 0);
  const gid = Number(ref.gid ?? 0);
  try {
    await chown(file, uid, gid);
  } catch (err) {
    // Not root: only an explicit owner is an error (the default 0 is the agent's own user then).
    if (ref.uid !== undefined || ref.gid !== undefined) {
      throw new ShoalError(ErrorCode.DriverUnavailable, `cannot give ${basename(file)} to uid ${uid} gid ${gid}: ${(err as Error).message} (the agent must run as root to set file owners)`);
    }
  }
  await chmod(file, ref.mode ?? defaultMode);
}
