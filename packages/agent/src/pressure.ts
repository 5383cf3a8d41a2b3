/**
 * Reads this host's pressure for the heartbeat: PSI "some avg10" for memory
 * and CPU (Linux 4.20+, `/proc/pressure`), and MemAvailable/MemTotal. Where
 * the kernel has no PSI, CPU falls back to the 1-minute load per core and
 * memory PSI to 0 (available memory still counts). Null off Linux. A node
 * that is a container (its tasks inside its cgroup) reads that cgroup instead.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { readOwnCgroup, type CgroupReading } from './cgroup-pressure.js';
import { CpuBusyMeter, parseProcStat, type CpuCounters } from './cpu-busy.js';

/** Same shape as @shoal/membership's PressureSample (the heartbeat field); kept here so the agent needs no membership import. */
export interface PressureSample {
  memorySome10: number;
  cpuSome10: number;
  memoryAvailablePercent: number;
  /** How busy the node's CPUs were over about 10 s (cpu-busy.ts); absent until two readings exist. */
  cpuBusyPercent?: number;
}

function some10(text: string): number | null {
  const m = /^some avg10=([0-9.]+)/m.exec(text);
  return m ? Math.min(100, Number(m[1])) : null;
}

async function readOr(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}

export function parseMeminfo(text: string): number | null {
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  const total = kb('MemTotal');
  const avail = kb('MemAvailable');
  if (!(total > 0) || !Number.isFinite(avail)) return null;
  return Math.max(0, Math.min(100, (avail / total) * 100));
}

/**
 * `own` reads the agent's cgroup (see cgroup-pressure.ts): when the node is
 * a machine container, its PSI and the memory left under its limit (or the
 * host's, if lower) describe this node; it would otherwise report the whole
 * host. With a `meter`, the sample also says how busy the CPUs were (the
 * cgroup's usage against its cores, or the host's `/proc/stat`).
 */
export async function readPressure(
  root = '/proc',
  own: (hostTotalBytes: number) => Promise<CgroupReading | null> = (t) => readOwnCgroup(t),
  meter: CpuBusyMeter | null = null,
  now = Date.now(),
): Promise<PressureSample | null> {
  const meminfo = await readOr(`${root}/meminfo`);
  const available = meminfo ? parseMeminfo(meminfo) : null;
  if (available === null) return null;
  const total = Number(/^MemTotal:\s+(\d+) kB/m.exec(meminfo!)?.[1] ?? 0) * 1024;
  const cg = await own(total).catch(() => null);
  const mem = cg?.memoryPsi ?? (await readOr(`${root}/pressure/memory`));
  const cpu = cg?.cpuPsi ?? (await readOr(`${root}/pressure/cpu`));
  const cpuSome = cpu ? some10(cpu) : null;
  const counters = meter ? await cpuCounters(root, cg, now) : null;
  const busy = meter && counters ? meter.observe(now, counters) : null;
  return {
    memorySome10: (mem ? some10(mem) : null) ?? 0,
    cpuSome10: cpuSome ?? Math.min(100, (loadavg()[0]! / Math.max(1, cpus().length)) * 100),
    memoryAvailablePercent: cg && cg.memoryAvailablePercent !== null ? Math.min(available, cg.memoryAvailablePercent) : available,
    ...(busy === null ? {} : { cpuBusyPercent: busy }),
  };
}

/** The node cgroup's usage against its cores (the lower of this process's CPUs and its cpu.max), else the host's jiffies. */
async function cpuCounters(root: string, cg: CgroupReading | null, now: number): Promise<CpuCounters | null> {
  if (cg && cg.cpuUsageSeconds !== null) {
    const cores = Math.min(availableParallelism(), cg.cpuLimitCores ?? Infinity);
    return { busy: cg.cpuUsageSeconds, total: (now / 1000) * cores };
  }
  const stat = await readOr(`${root}/stat`);
  return stat ? parseProcStat(stat) : null;
}

function readWithMeter(meter: CpuBusyMeter): () => Promise<PressureSample | null> {
  return () => readPressure('/proc', (t) => readOwnCgroup(t), meter);
}

/** Caches the last reading for `everyMs`, so a heartbeat every 500 ms reads /proc once a second. */
export class PressureGauge {
  private last: PressureSample | null = null;
  private at = -Infinity;
  private reading = false;

  constructor(
    private readonly everyMs = 1000,
    private readonly read: () => Promise<PressureSample | null> = readWithMeter(new CpuBusyMeter()),
  ) {}

  /** The latest sample (refreshed in the background; never blocks the heartbeat). */
  current(now = Date.now()): PressureSample | null {
    if (!this.reading && now - this.at >= this.everyMs) {
      this.reading = true;
      this.at = now;
      void this.read()
        .then((s) => (this.last = s), () => undefined)
        .finally(() => (this.reading = false));
    }
    return this.last;
  }
}
