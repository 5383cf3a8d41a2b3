/** Every task of a service the cluster remembers, newest first: what ran where and how it ended. */
import type { Task } from '@shoal/types';
import type { Snapshot } from '../store.js';
import { nodeName } from '../cluster-view.js';
import { clock, shortId } from '../format.js';
import { StatusBadge } from './status-badge.js';
import { TableHead } from './table-head.js';

export function TaskHistory({ tasks, snap }: { tasks: Task[]; snap: Snapshot }) {
  const sorted = [...tasks].sort((a, b) => b.createdAt - a.createdAt);
  return (
    <table class="task-history">
      <TableHead caption="Task history" columns={['Task', 'Slot', 'Node', 'Desired', 'State', 'Since', 'Message']} />
      <tbody>
        {sorted.map((t) => (
          <tr key={t.id}>
            <td><code>{shortId(t.id)}</code></td>
            <td>{t.slot}</td>
            <td>{nodeName(snap.nodes, t.nodeId)}</td>
            <td>{t.desiredState}</td>
            <td><StatusBadge state={t.status.state} /></td>
            <td>{clock(t.status.timestamp)}</td>
            <td>{t.status.error ?? t.status.message ?? ''}{t.pendingReason ? ` (${t.pendingReason})` : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
