/**
 * How long to wait for a probe's ack: TCP's retransmission timeout
 * (Jacobson/Karels, RFC 6298) over the round trips this node measured,
 * srtt + 4 x rttvar, within [floor, max]. On a loaded host acks come late
 * (both ends wait for a core): a fixed 100 ms timeout then suspects healthy
 * members every few seconds; a timeout that follows the measured round
 * trips stretches with the load and shrinks back when it passes.
 */
export class RttEstimator {
  private srtt = 0;
  private rttvar = 0;
  private samples = 0;

  constructor(
    private readonly floorMs: number,
    private readonly maxMs: number,
  ) {}

  observe(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) return;
    if (this.samples++ === 0) {
      this.srtt = ms;
      this.rttvar = ms / 2;
      return;
    }
    this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - ms);
    this.srtt = 0.875 * this.srtt + 0.125 * ms;
  }

  /** The ack timeout to use now (the floor until a round trip was measured). */
  timeoutMs(): number {
    if (this.samples === 0) return this.floorMs;
    return Math.min(this.maxMs, Math.max(this.floorMs, this.srtt + 4 * this.rttvar));
  }
}
