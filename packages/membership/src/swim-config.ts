/**
 * SWIM + Lifeguard tuning and the formulas memberlist made standard. Times
 * are ms. Defaults aim at detection p99 < 2 s on a LAN of up to ~5,000
 * nodes (the maths is in the package README).
 */
export interface SwimConfig {
  /** One probe of one member per period (the protocol period T). */
  probeIntervalMs: number;
  /** Wait at least this for a direct ack before asking others to probe (the floor of the measured timeout; scaled by local health). */
  probeTimeoutMs: number;
  /** The measured ack timeout (srtt + 4 x rttvar) never exceeds this, before local health scales it. */
  maxProbeTimeoutMs: number;
  /** k: members asked to probe on our behalf (ping-req). */
  indirectChecks: number;
  /** Suspicion min timeout = suspicionMult x max(1, log10 N) x T. */
  suspicionMult: number;
  /** Floor of the suspicion min timeout: small clusters and loaded hosts need time to refute. */
  suspicionFloorMs: number;
  /** Suspicion starts at this multiple of the min and shrinks with confirmations. */
  suspicionMaxTimeoutMult: number;
  /** Each update is piggybacked retransmitMult x ceil(log10(N + 1)) times. */
  retransmitMult: number;
  /** Dedicated gossip of pending updates: every gossipIntervalMs to gossipNodes members (only when there is something to say). */
  gossipIntervalMs: number;
  gossipNodes: number;
  /** Most updates carried by one message. */
  maxPiggyback: number;
  /** Lifeguard local health: timeouts are multiplied by (score + 1), score < this. */
  awarenessMaxMultiplier: number;
  /** A member added less than this long ago is not suspected yet: it may still be starting. */
  joinGraceMs: number;
  /** Messages accepted per sender per second (token bucket), and the burst. */
  ratePerSec: number;
  rateBurst: number;
}

export const SWIM_DEFAULTS: SwimConfig = {
  probeIntervalMs: 200,
  probeTimeoutMs: 100,
  maxProbeTimeoutMs: 1000,
  indirectChecks: 3,
  suspicionMult: 2,
  suspicionFloorMs: 800,
  suspicionMaxTimeoutMult: 3,
  retransmitMult: 6,
  gossipIntervalMs: 50,
  gossipNodes: 3,
  maxPiggyback: 8,
  awarenessMaxMultiplier: 8,
  joinGraceMs: 3_000,
  ratePerSec: 100,
  rateBurst: 200,
};

/** memberlist's suspicionTimeout: grows with log10 N so dissemination of a refutation has time. */
export function suspicionMinMs(c: SwimConfig, n: number): number {
  return Math.max(c.suspicionFloorMs, c.suspicionMult * Math.max(1, Math.log10(Math.max(1, n))) * c.probeIntervalMs);
}

/** memberlist's retransmitLimit: enough piggybacks that an update reaches everyone w.h.p. */
export function retransmitLimit(c: SwimConfig, n: number): number {
  return c.retransmitMult * Math.ceil(Math.log10(n + 1));
}

/**
 * Lifeguard's dynamic suspicion: the timeout starts at max and falls to min
 * as independent confirmations arrive (k expected): max - (max - min) x log(c + 1) / log(k + 1).
 */
export function suspicionTimeoutMs(min: number, max: number, confirmations: number, k: number): number {
  if (k < 1) return min;
  const frac = Math.log(confirmations + 1) / Math.log(k + 1);
  return Math.max(min, max - frac * (max - min));
}
