/**
 * Linux /proc helpers for the exec driver. A pid alone is not an identity
 * (pids are reused), so a process is named by (pid, start time in clock
 * ticks since boot), which no other process can share.
 */
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  state: string;
  pgid: number;
  utimeTicks: number;
  stimeTicks: number;
  startTicks: number;
  rssPages: number;
}

/** Kernel clock ticks per second (USER_HZ); 100 on every mainstream Linux. */
export const CLOCK_TICKS = 100;
export const PAGE_SIZE = 4096;

export function readProcStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: parse after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  return {
    pid,
    state: rest[0],
    pgid: Number(rest[2]),
    utimeTicks: Number(rest[11]),
    stimeTicks: Number(rest[12]),
    startTicks: Number(rest[19]),
    rssPages: Number(rest[21]),
  };
}

/** True when `pid` is still the very process that started at `startTicks` (and is not a zombie). */
export function isSameProcessAlive(pid: number, startTicks: number): boolean {
  const stat = readProcStat(pid);
  return stat !== null && stat.startTicks === startTicks && stat.state !== 'Z' && stat.state !== 'X';
}

/** Every live process in process group `pgid`. */
export function processGroup(pgid: number): ProcStat[] {
  const out: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat && stat.pgid === pgid && stat.state !== 'Z') out.push(stat);
  }
  return out;
}

/** Signals a whole process group; false when it no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
