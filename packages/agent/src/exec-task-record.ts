/**
 * The exec driver's per-task directory, `<dataDir>/tasks/<taskId>/`:
 * `state.json` (who the process is, so a restarted agent can adopt it),
 * `exit` (its exit code, written by the wrapper shell), and the log files.
 */
import { readFileSync, writeFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Task } from '@shoal/types';

export interface ExecTaskRecord {
  taskId: string;
  nodeId: string;
  /** Pid of the wrapper shell, which leads the task's process group. */
  pid: number;
  /** Its start time in clock ticks since boot: guards against pid reuse. */
  procStartTicks: number;
  startedAt: number;
  /** The task as started: health check, env and workdir survive an agent restart. */
  task: Task;
}

export const taskDir = (dataDir: string, taskId: string) => join(dataDir, 'tasks', taskId);
export const stateFile = (dir: string) => join(dir, 'state.json');
export const exitFile = (dir: string) => join(dir, 'exit');
export const stdoutFile = (dir: string) => join(dir, 'stdout.log');
export const stderrFile = (dir: string) => join(dir, 'stderr.log');

export function writeRecord(dir: string, record: ExecTaskRecord): void {
  const tmp = `${stateFile(dir)}.tmp`;
  // 0600: the record holds the task's environment values.
  writeFileSync(tmp, JSON.stringify(record), { mode: 0o600 });
  renameSync(tmp, stateFile(dir));
}

/** null when missing or unreadable (a half-written or foreign directory is not ours to trust). */
export function readRecord(dir: string): ExecTaskRecord | null {
  try {
    const rec = JSON.parse(readFileSync(stateFile(dir), 'utf8')) as ExecTaskRecord;
    if (typeof rec.pid !== 'number' || typeof rec.procStartTicks !== 'number' || typeof rec.taskId !== 'string') return null;
    return rec;
  } catch {
    return null;
  }
}

/** The exit code the wrapper recorded, and when; null if it never wrote one (killed, or still running). */
export function readExit(dir: string): { exitCode: number; finishedAt: number } | null {
  try {
    const text = readFileSync(exitFile(dir), 'utf8').trim();
    const exitCode = Number(text);
    if (text === '' || !Number.isInteger(exitCode)) return null;
    return { exitCode, finishedAt: Math.floor(statSync(exitFile(dir)).mtimeMs) };
  } catch {
    return null;
  }
}

export function writeExit(dir: string, exitCode: number): void {
  try {
    writeFileSync(exitFile(dir), `${exitCode}\n`, { flag: 'wx' });
  } catch {
    /* the wrapper wrote it first, or the directory is gone */
  }
}
