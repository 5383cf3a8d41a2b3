/** One node: liveness, role, availability, labels, reserved vs total, tasks, last heartbeat. */
import type { NodeInfo } from '@shoal/types';
import type { Snapshot } from '../store.js';
import { memberOf, nodeLiveness, nodeRoleLabel, reservedOn, tasksOn } from '../cluster-view.js';
import { ago, bytes, cpus } from '../format.js';
import { StatusBadge } from './status-badge.js';
import { AvailabilityAction } from './availability-action.js';

export function NodeCard({ node, snap }: { node: NodeInfo; snap: Snapshot }) {
  const liveness = nodeLiveness(node, snap.cluster);
  const role = nodeRoleLabel(node, snap.cluster);
  const reserved = reservedOn(snap.tasks, node.id);
  const member = memberOf(snap.cluster, node.id);
  const taskCount = tasksOn(snap.tasks, node.id).length;
  const labels = Object.entries(node.labels);
  return (
    <article class={`node-card liveness-${liveness}${role === 'leader' ? ' leader' : ''}`} aria-label={`node ${node.name}`} data-node={node.name}>
      <header>
        <h3>{node.name}</h3>
        <StatusBadge state={liveness} title={node.statusMessage} />
        <span class={`role role-${role}`}>{role}</span>
      </header>
      <dl>
        <dt>Availability</dt>
        <dd>{node.availability}</dd>
        <dt>Tasks</dt>
        <dd data-field="tasks">{taskCount}</dd>
        <dt>CPU reserved</dt>
        <dd>
          {cpus(reserved.cpus, 'cores')} of {cpus(node.resources.cpuMillis, 'millis')}
        </dd>
        <dt>Memory reserved</dt>
        <dd>
          {bytes(reserved.memoryBytes)} of {bytes(node.resources.memoryBytes)}
        </dd>
        <dt>Last heartbeat</dt>
        <dd>{heartbeatText(role, member?.lastContactMs, node.updatedAt)}</dd>
        <dt>Labels</dt>
        <dd>{labels.length ? labels.map(([k, v]) => <code key={k}>{`${k}=${v}`} </code>) : '—'}</dd>
        <dt>Platform</dt>
        <dd>
          {node.platform.os}/{node.platform.arch}, {node.drivers.join(', ')}, v{node.version}
        </dd>
      </dl>
      {node.statusMessage && <p class="muted">{node.statusMessage}</p>}
      <footer>
        <AvailabilityAction node={node} />
      </footer>
    </article>
  );
}

/** The leader's view of when it last heard from a node; the leader itself is its own reference. */
function heartbeatText(role: string, lastContactMs: number | undefined, updatedAt: number): string {
  if (role === 'leader') return 'leader (the reference clock)';
  if (lastContactMs !== undefined) return `${(lastContactMs / 1000).toFixed(1)}s ago (leader's view)`;
  return `not tracked by the leader; state updated ${ago(updatedAt)}`;
}
