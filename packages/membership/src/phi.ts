/**
 * Phi accrual failure detector (Hayashibara et al.; the variant Akka and
 * Cassandra use). Instead of a yes/no timeout it reports a suspicion level
 * phi = -log10(P(a heartbeat arrives later than now)), computed from a
 * sliding window of observed inter-arrival times modelled as a normal
 * distribution. phi 1 ~ 10 % chance of a mistake, phi 3 ~ 0.1 %, phi 8 ~ 1e-8.
 *
 * `minStdDevMs` keeps a very regular sender (loopback: jitter of a few ms)
 * from making the detector hair-triggered; `acceptablePauseMs` is added to
 * the mean so a GC pause of that length costs no suspicion at all.
 */
export interface PhiOptions {
  /** Heartbeat period the sender promises; seeds the window before samples exist. */
  expectedIntervalMs?: number;
  /** Number of inter-arrival samples kept. */
  windowSize?: number;
  minStdDevMs?: number;
  acceptablePauseMs?: number;
  /** Inter-arrival times shorter than this are not sampled (bursts after a receiver stall). */
  minSampleMs?: number;
}

export const PHI_DEFAULTS: Required<PhiOptions> = {
  expectedIntervalMs: 500,
  windowSize: 100,
  minStdDevMs: 100,
  acceptablePauseMs: 200,
  minSampleMs: 50,
};

export class PhiAccrualDetector {
  private readonly opts: Required<PhiOptions>;
  private readonly samples: number[] = [];
  private next = 0;
  private sum = 0;
  private sumSquares = 0;
  private last: number | null = null;

  constructor(opts: PhiOptions = {}) {
    this.opts = { ...PHI_DEFAULTS, ...opts };
    // Seed with the promised period, with a spread of a quarter of it (Akka's
    // first-heartbeat estimate), so the first real gaps are judged sensibly.
    const mean = this.opts.expectedIntervalMs;
    this.add(mean - mean / 4);
    this.add(mean + mean / 4);
  }

  /** Records a heartbeat arrival at `now` (ms, any monotonic-ish clock). */
  heartbeat(now: number): void {
    if (this.last !== null) {
      const gap = now - this.last;
      if (gap >= this.opts.minSampleMs) this.add(gap);
    }
    this.last = now;
  }

  /** Treats `now` as evidence of life (e.g. a ping answer) without sampling a gap. */
  reset(now: number): void {
    this.last = now;
  }

  lastArrival(): number | null {
    return this.last;
  }

  phi(now: number): number {
    if (this.last === null) return 0;
    const n = this.samples.length;
    const mean = this.sum / n;
    const variance = Math.max(0, this.sumSquares / n - mean * mean);
    const std = Math.max(Math.sqrt(variance), this.opts.minStdDevMs);
    return phiOf(now - this.last, mean + this.opts.acceptablePauseMs, std);
  }

  mean(): number {
    return this.sum / this.samples.length;
  }

  private add(gap: number): void {
    if (this.samples.length < this.opts.windowSize) {
      this.samples.push(gap);
    } else {
      const old = this.samples[this.next];
      this.sum -= old;
      this.sumSquares -= old * old;
      this.samples[this.next] = gap;
      this.next = (this.next + 1) % this.opts.windowSize;
    }
    this.sum += gap;
    this.sumSquares += gap * gap;
  }
}

/**
 * -log10(1 - CDF(elapsed)) for N(mean, std), with the logistic approximation
 * of the normal CDF Akka uses (error < 1e-4, no erf needed). Large values are
 * computed in log space so phi keeps growing instead of saturating at Infinity.
 */
export function phiOf(elapsed: number, mean: number, std: number): number {
  const y = (elapsed - mean) / std;
  const k = y * (1.5976 + 0.070566 * y * y);
  if (elapsed > mean) {
    // 1 - F = e / (1 + e) with e = exp(-k); log10 of it without underflow.
    return (k + Math.log1p(Math.exp(-k))) / Math.LN10;
  }
  const e = Math.exp(-k);
  return -Math.log10(1 - 1 / (1 + e));
}
