/** Unit conversions and the human wording used in placement explanations. */

const KiB = 1024;
const MiB = KiB * 1024;
const GiB = MiB * 1024;

/** Spec CPUs (e.g. 0.5) to the milli-cores nodes report. */
export function cpusToMillis(cpus: number | undefined): number {
  return cpus === undefined ? 0 : Math.round(cpus * 1000);
}

function trim(n: number): string {
  return String(Math.round(n * 10) / 10);
}

export function formatBytes(bytes: number): string {
  const b = Math.max(0, bytes);
  if (b >= GiB) return `${trim(b / GiB)} GiB`;
  if (b >= MiB) return `${trim(b / MiB)} MiB`;
  if (b >= KiB) return `${trim(b / KiB)} KiB`;
  return `${b} B`;
}

export function formatCpu(millis: number): string {
  const cores = Math.max(0, millis) / 1000;
  return `${Math.round(cores * 1000) / 1000} ${cores === 1 ? 'core' : 'cores'}`;
}

/** "1 lacks" / "3 lack": explanations count nodes, so verbs agree with the count. */
export function counted(count: number, singular: string, plural: string): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
