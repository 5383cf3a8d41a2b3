/** Where a service's live tasks run, grouped by node (the `service ps` view). */
import type { Task } from '@shoal/types';
import type { Snapshot } from '../store.js';
import { isFinished, nodeName } from '../cluster-view.js';
import { ago, shortId } from '../format.js';
import { StatusBadge } from './status-badge.js';

export function TasksByNode({ tasks, snap }: { tasks: Task[]; snap: Snapshot }) {
  const live = tasks.filter((t) => t.desiredState === 'running' && !isFinished(t));
  if (live.length === 0) return <p>No task is desired running.</p>;
  const groups = new Map<string, Task[]>();
  for (const t of live) {
    const key = t.nodeId ?? '';
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  return (
    <div class="tasks-by-node">
      {[...groups.entries()].map(([nodeId, list]) => (
        <section key={nodeId} aria-label={`tasks on ${nodeName(snap.nodes, nodeId || undefined)}`} data-node={nodeName(snap.nodes, nodeId || undefined)}>
          <h3>{nodeName(snap.nodes, nodeId || undefined)}</h3>
          <ul>
            {list.sort((a, b) => a.slot - b.slot).map((t) => (
              <li key={t.id} data-task={t.id}>
                <span class="slot">#{t.slot}</span> <code>{shortId(t.id)}</code> <StatusBadge state={t.status.state} /> <span class="muted">v{t.serviceVersion}, {ago(t.status.timestamp)}</span>
                {t.status.addresses && Object.keys(t.status.addresses).length > 0 && <code class="muted"> {Object.values(t.status.addresses).join(', ')}</code>}
                {t.status.error && <span class="error-text"> {t.status.error}</span>}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
