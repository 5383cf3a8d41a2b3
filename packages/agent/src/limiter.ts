/**
 * Bounds how many driver operations run at once, so a burst of assignments
 * (50 tasks after a failover) does not flood the engine with requests.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency must be a positive integer, got ${max}`);
  }

  async run<T>(op: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await op();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}
