/**
 * Per-task log files for drivers without an engine: the process writes
 * straight into them (O_APPEND), so it keeps logging while the agent is down.
 * Rotation is copy-then-truncate (logrotate's copytruncate): the writer's
 * append offset follows the truncation, no reopen needed.
 */
import { copyFileSync, renameSync, statSync, statfsSync, truncateSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface RotationPolicy {
  /** Rotate when a file grows past this many bytes. */
  maxBytes: number;
  /** Rotated files kept besides the live one (`name.1` is the newest). */
  maxFiles: number;
}

export const DEFAULT_ROTATION: RotationPolicy = { maxBytes: 10 * 1024 * 1024, maxFiles: 2 };
export const DEFAULT_RESERVE_BYTES = 256 * 1024 * 1024;

/** One task's log folder under the log root. */
export const logDirOf = (logRoot: string, taskId: string) => join(logRoot, taskId);

/** Free bytes for unprivileged writers on the file system holding `path` (Infinity when unknown). */
export function freeBytes(path: string): number {
  try {
    const st = statfsSync(path);
    return st.bavail * st.bsize;
  } catch {
    return Infinity;
  }
}

/** Removes the rotated copies (`*.log.N`) in a task's log folder. */
export function dropRotated(dir: string): void {
  for (const name of readdirSync(dir)) if (/\.log\.\d+$/.test(name)) rmSync(join(dir, name), { force: true });
}

/** Rotates `path` when it is over the limit; returns whether it did. */
export function rotateIfLarge(path: string, policy: RotationPolicy): boolean {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return false;
  }
  if (size <= policy.maxBytes || size === 0) return false;
  if (policy.maxFiles < 1) {
    truncateSync(path, 0);
    return true;
  }
  rmSync(`${path}.${policy.maxFiles}`, { force: true });
  for (let i = policy.maxFiles - 1; i >= 1; i--) {
    if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
  }
  copyFileSync(path, `${path}.1`);
  truncateSync(path, 0);
  return true;
}
