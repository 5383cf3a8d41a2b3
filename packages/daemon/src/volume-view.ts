/**
 * Named volumes as the cluster knows them: a volume exists on a node where a
 * task that mounts it was placed (the engine creates it there). Read from the
 * task records in the state (current tasks and the history kept per slot),
 * so `shoal volume ls` needs no extra reporting; a volume removed by hand
 * on the node still shows until its tasks leave the history.
 */
import type { VolumeInfo } from '@shoal/api';
import { namedVolumes } from '@shoal/orchestrator';
import type { Task } from '@shoal/types';
import type { ClusterRuntime } from './runtime.js';

export function listVolumes(rt: ClusterRuntime): VolumeInfo[] {
  const rows = new Map<string, VolumeInfo>();
  for (const t of rt.state.tasks()) {
    if (!t.nodeId || t.status.state === 'new' || t.status.state === 'pending' || t.status.state === 'rejected') continue;
    for (const name of namedVolumes(t.spec)) {
      const key = `${t.nodeId}/${name}`;
      let row = rows.get(key);
      if (!row) {
        row = { name, nodeId: t.nodeId, nodeName: rt.state.node(t.nodeId)?.name ?? t.nodeId, services: [], tasks: [] };
        rows.set(key, row);
      }
      if (!row.services.includes(t.serviceName)) row.services.push(t.serviceName);
      if (t.desiredState === 'running') row.tasks.push(`${t.serviceName}.${t.slot || t.nodeId.slice(-6)} ${t.id.slice(0, 9)} ${t.status.state}`);
    }
  }
  return [...rows.values()].sort((a, b) => a.name.localeCompare(b.name) || a.nodeName.localeCompare(b.nodeName));
}

/** What `task explain` adds for a replica pinned to its data. */
export function stickyNote(rt: ClusterRuntime, task: Task): string {
  const vols = namedVolumes(task.spec);
  if (task.slot === 0 || vols.length === 0 || !task.nodeId) return '';
  const name = rt.state.node(task.nodeId)?.name ?? task.nodeId;
  return `; sticky: slot ${task.slot} stays on ${name}, which holds volume ${vols.join(', ')} (volumePolicy ${task.spec.volumePolicy ?? 'wait'})`;
}
