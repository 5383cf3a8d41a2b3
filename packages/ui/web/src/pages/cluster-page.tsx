import { useSnapshot } from '../use-store.js';
import { NodeCard } from '../components/node-card.js';
import { RaftSummary } from '../components/raft-summary.js';
import { nodeLiveness } from '../cluster-view.js';

export function ClusterPage() {
  const snap = useSnapshot();
  const counts = { ready: 0, suspect: 0, down: 0, unknown: 0 };
  for (const n of snap.nodes) counts[nodeLiveness(n, snap.cluster)]++;
  return (
    <>
      <h1>Cluster</h1>
      <p data-field="node-counts">
        {snap.nodes.length} nodes: {counts.ready} ready, {counts.suspect} suspect, {counts.down} down
      </p>
      <RaftSummary cluster={snap.cluster} />
      <h2>Nodes</h2>
      <div class="node-grid">
        {snap.nodes.map((n) => (
          <NodeCard key={n.id} node={n} snap={snap} />
        ))}
      </div>
    </>
  );
}
