/**
 * Durations and sizes as people write them ("1m30s", "512M", "1.5G"), for
 * flags and Compose files alike. Sizes are binary (1K = 1024), as Docker's.
 */
import { ErrorCode, ShoalError } from '@shoal/types';

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/gy;

/** "10s", "1m30s", "1.5h", "250ms" -> milliseconds (rounded). A bare number means seconds. */
export function parseDuration(text: string, what = 'duration'): number {
  const s = String(text).trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  let total = 0;
  let pos = 0;
  DURATION_PART.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = DURATION_PART.exec(s)) !== null) {
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    pos = DURATION_PART.lastIndex;
  }
  if (pos === 0 || pos !== s.length) {
    throw new ShoalError(ErrorCode.InvalidSpec, `${what}: "${text}" is not a duration; use e.g. 500ms, 10s, 1m30s, 2h`);
  }
  return Math.round(total);
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "512M", "1.5G", "256mb", "1gib", "1048576" -> bytes. */
export function parseSize(text: string | number, what = 'size'): number {
  if (typeof text === 'number' && Number.isFinite(text) && text >= 0) return Math.round(text);
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?$/i.exec(String(text).trim());
  if (!m || (m[2] === '' && m[3] && m[3].toLowerCase() !== 'b')) {
    throw new ShoalError(ErrorCode.InvalidSpec, `${what}: "${text}" is not a size; use e.g. 512M, 1.5G, 64k or a number of bytes`);
  }
  return Math.round(Number(m[1]) * SIZE_UNITS[m[2].toLowerCase()]);
}

/** 90000 -> "1m30s"; 1500 -> "1.5s"; 0 -> "0s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}

/** 268435456 -> "256MiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number(v.toFixed(1))}${units[i]}`;
}
