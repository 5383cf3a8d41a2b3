/**
 * Host pressure, decided from the samples each node puts in its heartbeats:
 * PSI (`/proc/pressure/{memory,cpu}`, "some avg10", the share of the last 10 s
 * in which some task waited for the resource) and the memory still
 * available. Kubernetes' kubelet evicts on thresholds like these; here the
 * leader confirms a level over a window before it commits anything, and
 * leaves it only after a longer window below lower thresholds (hysteresis),
 * so a node never flaps between states. Pure: the caller passes `now`.
 */

export interface PressureSample {
  /** PSI memory "some avg10", percent (0-100). */
  memorySome10: number;
  /** PSI cpu "some avg10", percent; where the kernel has no PSI, load per core x 100 capped at 100. */
  cpuSome10: number;
  /** MemAvailable / MemTotal, percent. */
  memoryAvailablePercent: number;
  /**
   * How busy the node's CPUs were over about the same 10 s, percent of their
   * capacity; absent when unknown (then PSI alone decides). CPU PSI also
   * counts tasks held back by their own CPU limit, which stall on an idle
   * machine: only stalls on busy CPUs are contention.
   */
  cpuBusyPercent?: number;
}

export type PressureLevel = 'normal' | 'memory' | 'cpu';

export interface PressureThresholds {
  enterMemorySome: number;
  exitMemorySome: number;
  enterMemoryAvailable: number;
  exitMemoryAvailable: number;
  enterCpuSome: number;
  exitCpuSome: number;
  /** CPU PSI counts as CPU pressure only while the CPUs are at least this busy (percent). */
  enterCpuBusy: number;
  exitCpuBusy: number;
  /** How long a level must hold before it is declared. */
  enterWindowMs: number;
  /** How long a node must stay below the exit thresholds before it is declared normal again. */
  exitWindowMs: number;
}

export const DEFAULT_PRESSURE: PressureThresholds = {
  enterMemorySome: 20,
  exitMemorySome: 5,
  enterMemoryAvailable: 5,
  exitMemoryAvailable: 10,
  enterCpuSome: 90,
  exitCpuSome: 60,
  enterCpuBusy: 75,
  exitCpuBusy: 50,
  enterWindowMs: 30_000,
  exitWindowMs: 60_000,
};

/** What a sample says on its own (memory first: it is the one that kills tasks). */
export function sampleLevel(s: PressureSample, t: PressureThresholds = DEFAULT_PRESSURE): PressureLevel {
  if (s.memorySome10 >= t.enterMemorySome || s.memoryAvailablePercent <= t.enterMemoryAvailable) return 'memory';
  if (s.cpuSome10 >= t.enterCpuSome && (s.cpuBusyPercent ?? 100) >= t.enterCpuBusy) return 'cpu';
  return 'normal';
}

/** Still above the exit thresholds of `level` (so not yet relieved). */
function stillUnder(level: PressureLevel, s: PressureSample, t: PressureThresholds): boolean {
  if (level === 'memory') return s.memorySome10 >= t.exitMemorySome || s.memoryAvailablePercent <= t.exitMemoryAvailable;
  if (level === 'cpu') return s.cpuSome10 >= t.exitCpuSome && (s.cpuBusyPercent ?? 100) >= t.exitCpuBusy;
  return false;
}

/**
 * All of a sample that PressureTracker acts on: its own level and whether it
 * is still above each level's exit thresholds. Samples in the same band lead
 * to the same decisions, so a node need only send a new sample when its band
 * changes (the leader keeps the last one it got).
 */
export function pressureBand(s: PressureSample, t: PressureThresholds = DEFAULT_PRESSURE): string {
  return `${sampleLevel(s, t)}/${stillUnder('memory', s, t) ? 'm' : '-'}${stillUnder('cpu', s, t) ? 'c' : '-'}`;
}

export function describeSample(s: PressureSample): string {
  const busy = s.cpuBusyPercent === undefined ? '' : ` (cpu ${s.cpuBusyPercent.toFixed(0)}% busy)`;
  return `memory PSI ${s.memorySome10.toFixed(1)}%, ${s.memoryAvailablePercent.toFixed(1)}% memory available, cpu PSI ${s.cpuSome10.toFixed(1)}%${busy}`;
}

interface NodeTrack {
  level: PressureLevel;
  candidate: PressureLevel;
  since: number;
}

/** Per-node hysteresis; `observe` returns the new level when it changes, else null. */
export class PressureTracker {
  private readonly nodes = new Map<string, NodeTrack>();

  constructor(private readonly t: PressureThresholds = DEFAULT_PRESSURE) {}

  /** The committed level the tracker starts from (after a leader change, from the replicated state). */
  seed(nodeId: string, level: PressureLevel, now: number): void {
    if (!this.nodes.has(nodeId)) this.nodes.set(nodeId, { level, candidate: level, since: now });
  }

  observe(nodeId: string, s: PressureSample, now: number): PressureLevel | null {
    const tr = this.nodes.get(nodeId) ?? { level: 'normal' as PressureLevel, candidate: 'normal' as PressureLevel, since: now };
    this.nodes.set(nodeId, tr);
    let want = sampleLevel(s, this.t);
    // Inside the hysteresis band the current level holds. Memory also holds against cpu:
    // a node thrashing at its memory limit stalls on CPU too, and it is still memory that kills tasks.
    if (tr.level !== 'normal' && want !== tr.level && (want === 'normal' || tr.level === 'memory') && stillUnder(tr.level, s, this.t)) want = tr.level;
    if (want !== tr.candidate) {
      tr.candidate = want;
      tr.since = now;
    }
    if (tr.candidate === tr.level) return null;
    const window = tr.candidate === 'normal' ? this.t.exitWindowMs : this.t.enterWindowMs;
    if (now - tr.since < window) return null;
    tr.level = tr.candidate;
    return tr.level;
  }

  /** The level the tracker holds for a node ('normal' when unknown). */
  level(nodeId: string): PressureLevel {
    return this.nodes.get(nodeId)?.level ?? 'normal';
  }

  forget(nodeId: string): void {
    this.nodes.delete(nodeId);
  }
}
