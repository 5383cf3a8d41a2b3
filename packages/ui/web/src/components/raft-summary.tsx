/** The Raft view of the node serving the console: leader, term, commit and apply lag, quorum. */
import type { ClusterStatus } from '@shoal/api/contract';

export function RaftSummary({ cluster }: { cluster: ClusterStatus | null }) {
  if (!cluster) return <p>Loading cluster status…</p>;
  const lag = cluster.commitIndex - cluster.appliedIndex;
  return (
    <dl class="raft-summary" aria-label="Raft status">
      <div><dt>Leader</dt><dd data-field="leader">{cluster.leader?.name ?? 'none (election running?)'}</dd></div>
      <div><dt>Term</dt><dd>{cluster.term}</dd></div>
      <div><dt>Commit index</dt><dd>{cluster.commitIndex}</dd></div>
      <div><dt>Apply lag</dt><dd>{lag} entr{lag === 1 ? 'y' : 'ies'}</dd></div>
      <div><dt>Quorum</dt><dd class={cluster.hasQuorum ? '' : 'bad'}>{cluster.hasQuorum ? 'yes' : 'LOST: writes fail until a majority of voters is back'}</dd></div>
      <div><dt>Voters</dt><dd>{cluster.voters.map((v) => `${v.name}${v.healthy ? '' : ' (unreachable)'}`).join(', ')}</dd></div>
      <div><dt>Learners</dt><dd>{cluster.learners.length ? cluster.learners.map((v) => v.name).join(', ') : '—'}</dd></div>
      <div><dt>Answering</dt><dd>{cluster.self.name}</dd></div>
      <div><dt>Cluster</dt><dd><code>{cluster.clusterId.slice(0, 16)}</code></dd></div>
    </dl>
  );
}
