/**
 * Seeds that once exposed a real bug, replayed by test/regressions.test.ts.
 * Add one entry per bug found: the seed, its mix and node count, and what
 * went wrong.
 */
export interface RegressionSeed {
  seed: number;
  mix: string;
  nodes: number;
  steps?: number;
  bug: string;
}

export const REGRESSION_SEEDS: readonly RegressionSeed[] = [
  {
    seed: 35,
    mix: 'chaos',
    nodes: 3,
    bug: 'a learner that catches up by log replay (no snapshot) never learns the bootstrap voters: its conf becomes {itself}, it elects itself and applies a different entry at index 31',
  },
];
