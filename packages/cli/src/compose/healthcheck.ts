/** Compose `healthcheck` -> HealthCheck (durations to milliseconds). */
import type { HealthCheck } from '@shoal/types';
import { parseDuration } from '../units.js';
import { fail, isDoc, splitCommand } from './common.js';

export function healthcheck(value: unknown, where: string): HealthCheck | undefined {
  if (!isDoc(value)) throw fail(`${where}: expected a map`);
  if (value.disable === true) return { test: ['NONE'] };
  const test = typeof value.test === 'string' ? ['CMD-SHELL', value.test] : splitCommand(value.test, `${where}.test`);
  const h: HealthCheck = { test };
  if (value.interval !== undefined) h.intervalMs = parseDuration(String(value.interval), `${where}.interval`);
  if (value.timeout !== undefined) h.timeoutMs = parseDuration(String(value.timeout), `${where}.timeout`);
  if (value.start_period !== undefined) h.startPeriodMs = parseDuration(String(value.start_period), `${where}.start_period`);
  if (value.retries !== undefined) h.retries = Number(value.retries);
  return h;
}
