import type { NetworkFaults } from './network.js';
import { CALM_NETWORK } from './network.js';

/** A fault mix: which kinds of trouble a run injects, and how hard. */
export interface FaultMix {
  name: string;
  network: NetworkFaults;
  partitions: boolean;
  crashes: boolean;
  membership: boolean;
  transfers: boolean;
  /** Also issue requests Raft must refuse: overlapping or invalid conf changes, transfers to non-voters. */
  misuse: boolean;
}

const LIGHT: NetworkFaults = { drop: 0.01, duplicate: 0.01, corrupt: 0.005, minLatency: 1, maxLatency: 10, slow: 0.01, slowLatency: 100 };
const LOSSY: NetworkFaults = { drop: 0.12, duplicate: 0.05, corrupt: 0.02, minLatency: 1, maxLatency: 25, slow: 0.03, slowLatency: 300 };
/** Lossy, and now and then a message from seconds ago: stale appends, votes and snapshots from old terms. */
const CHAOTIC: NetworkFaults = { ...LOSSY, slow: 0.02, slowLatency: 2500 };

export const MIXES: readonly FaultMix[] = [
  { name: 'calm', network: CALM_NETWORK, partitions: false, crashes: false, membership: false, transfers: false, misuse: false },
  { name: 'lossy', network: LOSSY, partitions: false, crashes: false, membership: false, transfers: false, misuse: false },
  { name: 'partitions', network: LIGHT, partitions: true, crashes: false, membership: false, transfers: false, misuse: false },
  { name: 'crashes', network: LIGHT, partitions: false, crashes: true, membership: false, transfers: false, misuse: false },
  { name: 'membership', network: LIGHT, partitions: false, crashes: false, membership: true, transfers: true, misuse: false },
  { name: 'chaos', network: CHAOTIC, partitions: true, crashes: true, membership: true, transfers: true, misuse: true },
];

export function mixByName(name: string): FaultMix {
  const mix = MIXES.find((m) => m.name === name);
  if (!mix) throw new Error(`unknown mix "${name}"; choose one of: ${MIXES.map((m) => m.name).join(', ')}`);
  return mix;
}

/** The mix a seed runs when none is given: seeds cycle through all mixes. */
export function mixForSeed(seed: number): FaultMix {
  return MIXES[seed % MIXES.length];
}
