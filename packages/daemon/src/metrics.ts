/**
 * Prometheus metrics of one node. Gauges read the live values when scraped
 * (collect callbacks), so nothing is updated on the hot path but counters
 * and histograms.
 */
import { Registry, Gauge, Counter, Histogram, collectDefaultMetrics } from 'prom-client';

export interface MetricsSource {
  raft(): { term: number; commit: number; applied: number; isLeader: boolean } | null;
  taskCounts(): Record<string, number>;
  nodeCounts(): Record<string, number>;
  p2pRejected(): Record<string, number>;
}

export class NodeMetrics {
  readonly registry = new Registry();
  readonly reconcileSeconds: Histogram;
  readonly heartbeatRttSeconds: Histogram;
  readonly failovers: Counter;
  readonly leaderChanges: Counter;
  readonly writesRefused: Counter<'reason'>;

  constructor(source: MetricsSource) {
    const registers = [this.registry];
    // prom-client samples event-loop lag with a 10 ms timer by default: 0.3 % of a core on
    // an otherwise idle agent (measured), a third of the idle budget. 250 ms still catches stalls.
    collectDefaultMetrics({ register: this.registry, prefix: 'shoal_process_', eventLoopMonitoringPrecision: 250 });
    const raftGauge = (name: string, help: string, pick: (r: NonNullable<ReturnType<MetricsSource['raft']>>) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const r = source.raft();
          if (r) this.set(pick(r));
        },
      });
    raftGauge('shoal_raft_term', 'Current Raft term', (r) => r.term);
    raftGauge('shoal_raft_commit_index', 'Raft commit index', (r) => r.commit);
    raftGauge('shoal_raft_applied_index', 'Raft index applied to the cluster state', (r) => r.applied);
    raftGauge('shoal_raft_apply_lag', 'Committed entries not yet applied', (r) => r.commit - r.applied);
    raftGauge('shoal_raft_is_leader', '1 on the leader', (r) => (r.isLeader ? 1 : 0));
    const labelled = (name: string, help: string, label: string, read: () => Record<string, number>) =>
      new Gauge({
        name,
        help,
        labelNames: [label],
        registers,
        collect() {
          this.reset();
          for (const [k, v] of Object.entries(read())) this.set({ [label]: k }, v);
        },
      });
    labelled('shoal_tasks', 'Tasks desired running, by observed state', 'state', () => source.taskCounts());
    labelled('shoal_nodes', 'Nodes by status', 'status', () => source.nodeCounts());
    labelled('shoal_p2p_rejected_total', 'Messages from peers dropped as invalid, by reason', 'reason', () => source.p2pRejected());
    this.reconcileSeconds = new Histogram({
      name: 'shoal_reconcile_seconds',
      help: 'Leader control-loop pass: orchestrate, place and commit',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.heartbeatRttSeconds = new Histogram({
      name: 'shoal_heartbeat_rtt_seconds',
      help: 'Round trip of direct pings to peers',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.failovers = new Counter({ name: 'shoal_failovers_total', help: 'Nodes declared down by this leader', registers });
    this.leaderChanges = new Counter({ name: 'shoal_leader_changes_total', help: 'Leader changes seen by this node', registers });
    this.writesRefused = new Counter({
      name: 'shoal_writes_refused_total',
      help: 'Writes this node refused as leader: not a node\'s own, no or a bad credential, a role too low, input the API would refuse',
      labelNames: ['reason'],
      registers,
    });
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
