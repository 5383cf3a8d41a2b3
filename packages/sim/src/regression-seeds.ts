/**
 * Seeds that once exposed a real bug, replayed by test/regressions.test.ts.
 * One entry per bug, with every seed (and its mix and node count) that
 * showed it: add the bug once, then each seed that finds it again.
 */
export interface RegressionSeed {
  seed: number;
  mix: string;
  nodes: number;
  steps?: number;
  bug: string;
}

/** Where a bug was seen: the run that replays it, and how it showed when that differs from the bug's summary. */
type Sighting = Omit<RegressionSeed, 'bug'> & { seen?: string };

interface RegressionBug {
  bug: string;
  seeds: Sighting[];
}

const BUGS: readonly RegressionBug[] = [
  // Raft 9200dc3: a learner catching up by log replay (no snapshot) never learned the bootstrap voters,
  // so its conf became {itself}; once promoted it elected itself. Fixed in dc515d3 (conf entries carry
  // the resulting membership). Against 9200dc3 these seeds fail; first seen as seed 35 (chaos, 3 nodes).
  {
    bug: 'a joiner that replays the log from index 1 never learns the bootstrap voters, elects itself: leader completeness broken',
    seeds: [
      { seed: 4, mix: 'membership', nodes: 3 },
      { seed: 34, mix: 'membership', nodes: 3, seen: 'two leaders in term 3 (the joiner and n2)' },
    ],
  },
  // Issue 15 (1- to 9-node clusters, removing the leader, role checks): found while fixing the membership bugs.
  {
    bug: 'a leader alone holding its uncommitted self-removal restarted as a non-voter: the survivor needed its vote and could not get it (deadlock)',
    seeds: [
      { seed: 4, mix: 'chaos', nodes: 1 },
      { seed: 81, mix: 'chaos', nodes: 2, seen: 'in a 2-voter cluster' },
      { seed: 95, mix: 'chaos', nodes: 3, seen: 'after the cluster shrank to 2 voters' },
    ],
  },
  {
    bug: 'a follower whose uncommitted conf entry removed the new leader refused its appends (role check), so the entry was never replaced',
    seeds: [
      { seed: 273, mix: 'chaos', nodes: 8 },
      { seed: 479, mix: 'chaos', nodes: 6, seen: 'on two followers at once' },
    ],
  },
  {
    bug: 'a lagging voter knew the (promoted) leader only as a learner, refused its appends, and nobody could tell it otherwise',
    seeds: [{ seed: 569, mix: 'chaos', nodes: 9 }],
  },
  {
    bug: 'without pre-vote: a voter ahead in term dropped the stale heartbeats of a leader it knew as a learner instead of answering them, so nothing ever changed',
    seeds: [
      { seed: 1029, mix: 'chaos', nodes: 3 },
      { seed: 1055, mix: 'chaos', nodes: 6 },
    ],
  },
  // Issue 15, the simulator on the production host loop (RaftHost, asynchronous writes):
  {
    bug: "RaftHost compacted at its applied index after a leader's snapshot, stepped while a Ready was being written, had replaced the log past it: RaftNode.compact threw and the host stopped for good",
    seeds: [{ seed: 306, mix: 'calm', nodes: 3 }],
  },
  {
    bug: 'a follower forwarded a ReadIndex request in a term it had not yet written to disk',
    seeds: [{ seed: 99, mix: 'crashes', nodes: 4 }],
  },
];

export const REGRESSION_SEEDS: readonly RegressionSeed[] = BUGS.flatMap(({ bug, seeds }) =>
  seeds.map(({ seen, ...run }) => ({ ...run, bug: seen ? `${bug} (seen ${seen})` : bug })),
);
