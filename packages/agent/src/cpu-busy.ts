/**
 * How busy the node's CPUs are, next to their PSI. CPU PSI counts every
 * runnable task that is not running, and a task held back by its own CPU
 * limit (cgroup throttling) is runnable: one task saturating a 0.05-core
 * limit makes its node's (and the host's) CPU PSI read 90 % while the CPUs
 * sit idle. Moving work off such a node helps nobody (the limit moves with
 * the task), so the leader calls a node CPU-pressured only when its CPUs are
 * also busy (`cpuBusyPercent`, membership/pressure.ts). Busy is read from
 * cumulative counters: the node cgroup's `cpu.stat` usage against its
 * capacity, or the host's `/proc/stat` busy against all jiffies.
 */

/** A cumulative reading: CPU time used and CPU time there was, in the same unit. */
export interface CpuCounters {
  busy: number;
  total: number;
}

/** `/proc/stat`'s "cpu" line: busy is everything but idle and iowait (jiffies). */
export function parseProcStat(text: string): CpuCounters | null {
  const m = /^cpu\s+([\d\s]+)$/m.exec(text);
  if (!m) return null;
  const f = m[1]!.trim().split(/\s+/).map(Number);
  if (f.length < 4 || f.some((x) => !Number.isFinite(x))) return null;
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = f[3]! + (f[4] ?? 0);
  return { busy: total - idle, total };
}

/** cgroup v2 `cpu.stat` "usage_usec", seconds. */
export function parseUsageSeconds(text: string): number | null {
  const m = /^usage_usec (\d+)$/m.exec(text);
  return m ? Number(m[1]) / 1e6 : null;
}

/** cgroup v2 `cpu.max` ("max 100000" or "QUOTA PERIOD") in cores; null without a limit. */
export function parseCpuMax(text: string): number | null {
  const m = /^(\d+|max)\s+(\d+)/.exec(text.trim());
  if (!m || m[1] === 'max' || Number(m[2]) <= 0) return null;
  return Number(m[1]) / Number(m[2]);
}

/**
 * Busy share over a trailing window (10 s, as PSI's avg10) from cumulative
 * counters read about once a second. Pure: the caller passes the time.
 */
export class CpuBusyMeter {
  private readonly samples: { at: number; c: CpuCounters }[] = [];

  constructor(private readonly windowMs = 10_000) {}

  /** Adds a reading and returns the busy percentage since the oldest one in the window (null until there are two). */
  observe(now: number, c: CpuCounters): number | null {
    const last = this.samples[this.samples.length - 1];
    // A counter that went backwards (the cgroup was recreated): start over.
    if (last && (c.busy < last.c.busy || c.total < last.c.total)) this.samples.length = 0;
    this.samples.push({ at: now, c });
    while (this.samples.length > 2 && now - this.samples[1]!.at >= this.windowMs) this.samples.shift();
    const first = this.samples[0]!;
    const dTotal = c.total - first.c.total;
    if (this.samples.length < 2 || dTotal <= 0) return null;
    return Math.max(0, Math.min(100, ((c.busy - first.c.busy) / dTotal) * 100));
  }
}
