/**
 * Batch placement: one pass over the pending tasks with the cluster view
 * updated as each task lands, so later tasks in the batch see the resources,
 * ports and spread of earlier ones. Groups take turns, one task each, so a
 * large service cannot starve a small one when capacity runs short.
 */
import type { Task } from '@shoal/types';
import { ClusterView } from './cluster-view.js';
import { taskRequirements } from './requirements.js';
import { PinnedGroup, TaskGroup, type PlacementGroup } from './task-group.js';
import type { PlacementInput, PlacementOptions, PlacementResult } from './types.js';

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Same service, same version (a spec never changes without a new version), same pinned node. */
function groupKey(t: Task): string {
  return `${t.serviceId}\u0000${t.serviceVersion}\u0000${t.nodeId ?? ''}`;
}

/** Tasks grouped, groups and tasks in a stable order whatever the input order. */
function groupPending(pending: Task[]): Task[][] {
  const groups = new Map<string, Task[]>();
  for (const t of pending) {
    const key = groupKey(t);
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(t);
  }
  const byTask = (a: Task, b: Task) => a.slot - b.slot || compare(a.id, b.id);
  return [...groups.keys()].sort(compare).map((k) => groups.get(k)!.sort(byTask));
}

export function placeTasks(input: PlacementInput, opts: PlacementOptions = {}): PlacementResult {
  const strategy = opts.strategy ?? 'spread';
  const pendingIds = new Set(input.pending.map((t) => t.id));
  const view = new ClusterView(input.nodes, input.tasks, pendingIds, new Set(input.pending.map((t) => t.serviceId)), input.usage);
  const groups: PlacementGroup[] = groupPending(input.pending).map((tasks) => {
    const req = taskRequirements(tasks[0]);
    return req.pinnedNodeId !== undefined ? new PinnedGroup(view, req, tasks) : new TaskGroup(view, req, tasks, strategy);
  });

  const result: PlacementResult = { assignments: [], unplaced: [] };
  const next = new Array<number>(groups.length).fill(0);
  let active = groups.map((_, g) => g);
  while (active.length > 0) {
    const still: number[] = [];
    for (const g of active) {
      const group = groups[g];
      const task = group.tasks[next[g]];
      const node = group.placeNext();
      if (node < 0) {
        // Usage only grows within a batch: what does not fit now never will.
        const reason = group.whyUnplaced();
        for (const t of group.tasks.slice(next[g])) result.unplaced.push({ taskId: t.id, reason });
        continue;
      }
      result.assignments.push({ taskId: task.id, nodeId: view.nodes[node].id });
      if (++next[g] < group.tasks.length) still.push(g);
    }
    active = still;
  }
  return result;
}
