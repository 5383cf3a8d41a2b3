/**
 * Docker's health-check semantics, for drivers that have no engine to do it:
 * the first check runs one interval after start; a success makes the task
 * healthy; failures during the start period do not count; `retries`
 * consecutive failures after it make the task unhealthy.
 */
import type { HealthCheck, TaskHealth } from '@shoal/types';

export interface CheckResult {
  ok: boolean;
  output: string;
}

export const HEALTH_DEFAULTS = { intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0 };

export class HealthMonitor {
  private status: TaskHealth = 'starting';
  private failures = 0;
  private lastOutput = '';
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly startPeriodMs: number;

  constructor(
    check: HealthCheck,
    private readonly run: (timeoutMs: number) => Promise<CheckResult>,
    private readonly startedAt: number,
    private readonly now: () => number = Date.now,
  ) {
    this.intervalMs = check.intervalMs || HEALTH_DEFAULTS.intervalMs;
    this.timeoutMs = check.timeoutMs || HEALTH_DEFAULTS.timeoutMs;
    this.retries = check.retries ?? HEALTH_DEFAULTS.retries;
    this.startPeriodMs = check.startPeriodMs ?? HEALTH_DEFAULTS.startPeriodMs;
  }

  get health(): TaskHealth {
    return this.status;
  }

  /** Output of the last failed check, for "health check failed: …". */
  get lastFailure(): string {
    return this.lastOutput;
  }

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let result: CheckResult;
    try {
      result = await this.run(this.timeoutMs);
    } catch (err) {
      result = { ok: false, output: err instanceof Error ? err.message : String(err) };
    }
    if (this.stopped) return;
    this.record(result);
    this.schedule();
  }

  /** Applies one check result (exposed so the rules can be tested without timers). */
  record(result: CheckResult): void {
    if (result.ok) {
      this.status = 'healthy';
      this.failures = 0;
      return;
    }
    this.lastOutput = result.output.trim() || 'check exited non-zero with no output';
    if (this.now() - this.startedAt < this.startPeriodMs) return;
    this.failures++;
    if (this.failures >= this.retries) this.status = 'unhealthy';
  }
}
