/**
 * The agent's own cgroup as its machine. `/proc/pressure` and
 * `/proc/meminfo` are host-wide: when a node is itself a container
 * (Docker-in-Docker, an LXC machine) whose tasks run inside that container's
 * cgroup, the host's figures say nothing about the node (with 2 busy cores,
 * the host's CPU PSI reads 90 % for every node at once). Such a node is
 * recognised by its init: PID 1 of the agent's PID namespace shares the
 * agent's cgroup, and that cgroup is not the root. (On a machine with
 * systemd, PID 1 sits in `/init.scope` and the agent in its service: host
 * figures, as before.) Then the cgroup's own PSI files (`memory.pressure`,
 * `cpu.pressure`, cgroup v2; under `/sys/fs/cgroup/unified` in a hybrid
 * v1/v2 layout) and, when it has a memory limit, the limit and the working
 * set (usage minus inactive file pages, as kubelet counts it) describe it,
 * and its CPU usage says how busy its CPUs are (cpu-busy.ts).
 */
import { readFile } from 'node:fs/promises';
import { parseCpuMax, parseUsageSeconds } from './cpu-busy.js';

/** The agent's cgroup paths: the v2 (unified) one, and the v1 memory controller's when there is a v1 hierarchy. */
export interface SelfCgroup {
  unified?: string;
  memoryV1?: string;
}

/** `/proc/self/cgroup`: "0::/path" (v2) and "N:memory:/path" (v1). */
export function parseSelfCgroup(text: string): SelfCgroup {
  const out: SelfCgroup = {};
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(\/.*)$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === '0' && m[2] === '') out.unified = m[3];
    else if (m[2]!.split(',').includes('memory')) out.memoryV1 = m[3];
  }
  return out;
}

/** A memory limit in bytes: v2 "max" or a v1 value past any real machine (2^62 and up) is no limit (null). */
export function parseLimit(text: string): number | null {
  const s = text.trim();
  if (s === 'max' || !/^\d+$/.test(s)) return null;
  const n = Number(s);
  return n > 0 && n < 2 ** 62 ? n : null;
}

/** One counter of `memory.stat` (v1 "total_inactive_file", v2 "inactive_file"); 0 when absent. */
export function statValue(text: string, key: string): number {
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** Memory left under the limit, percent: (limit - working set) / limit, working set = usage - inactive file. */
export function availableUnderLimit(limit: number, usage: number, inactiveFile: number): number {
  const workingSet = Math.max(0, usage - inactiveFile);
  return Math.max(0, Math.min(100, ((limit - workingSet) / limit) * 100));
}

export interface CgroupReading {
  /** Where the reading came from, for logs. */
  path: string;
  /** Memory left under the cgroup's limit; null when it has none (the host's figure stands). */
  memoryAvailablePercent: number | null;
  /** The cgroup's own `memory.pressure` / `cpu.pressure` text, when the kernel has them there. */
  memoryPsi: string | null;
  cpuPsi: string | null;
  /** CPU time the cgroup has used (v2 `cpu.stat`), seconds; null where unreadable. */
  cpuUsageSeconds: number | null;
  /** The cgroup's CPU limit (v2 `cpu.max`) in cores; null without one. */
  cpuLimitCores: number | null;
}

async function readOr(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Reads the agent's cgroup when the agent runs in a machine container (see
 * above), else null. `root` is the cgroup mount (`/sys/fs/cgroup`); a memory
 * limit at or above the machine's memory (`hostTotalBytes`) is no limit.
 */
export async function readOwnCgroup(hostTotalBytes: number, root = '/sys/fs/cgroup', selfFile = '/proc/self/cgroup', initFile = '/proc/1/cgroup'): Promise<CgroupReading | null> {
  const self = await readOr(selfFile);
  const init = await readOr(initFile);
  if (self === null || init === null) return null;
  const cg = parseSelfCgroup(self);
  const pid1 = parseSelfCgroup(init);
  const key = (c: SelfCgroup) => c.unified ?? c.memoryV1;
  if (key(cg) === undefined || key(cg) === '/' || key(cg) !== key(pid1)) return null;
  // Pure v2 mounts the unified tree at the root; a hybrid layout under unified/.
  const unifiedRoot = (await readOr(`${root}/cgroup.controllers`)) !== null ? root : `${root}/unified`;
  const v2Dir = cg.unified !== undefined ? `${unifiedRoot}${cg.unified === '/' ? '' : cg.unified}` : undefined;
  let limit: number | null = null;
  let usage = NaN;
  let inactive = 0;
  let path = v2Dir ?? '';
  if (unifiedRoot === root && v2Dir !== undefined) {
    limit = parseLimit((await readOr(`${v2Dir}/memory.max`)) ?? 'max');
    usage = Number((await readOr(`${v2Dir}/memory.current`)) ?? NaN);
    inactive = statValue((await readOr(`${v2Dir}/memory.stat`)) ?? '', 'inactive_file');
  } else if (cg.memoryV1 !== undefined) {
    path = `${root}/memory${cg.memoryV1 === '/' ? '' : cg.memoryV1}`;
    limit = parseLimit((await readOr(`${path}/memory.limit_in_bytes`)) ?? 'max');
    usage = Number((await readOr(`${path}/memory.usage_in_bytes`)) ?? NaN);
    inactive = statValue((await readOr(`${path}/memory.stat`)) ?? '', 'total_inactive_file');
  }
  const limited = limit !== null && limit < hostTotalBytes && Number.isFinite(usage);
  return {
    path,
    memoryAvailablePercent: limited ? availableUnderLimit(limit!, usage, inactive) : null,
    memoryPsi: v2Dir !== undefined ? await readOr(`${v2Dir}/memory.pressure`) : null,
    cpuPsi: v2Dir !== undefined ? await readOr(`${v2Dir}/cpu.pressure`) : null,
    cpuUsageSeconds: v2Dir !== undefined ? parseUsageSeconds((await readOr(`${v2Dir}/cpu.stat`)) ?? '') : null,
    cpuLimitCores: v2Dir !== undefined ? parseCpuMax((await readOr(`${v2Dir}/cpu.max`)) ?? 'max') : null,
  };
}
