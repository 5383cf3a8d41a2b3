/**
 * The per-node view of one task's placement (`shoal service ps --explain`,
 * dry runs): every filter that rejects each node, and for the nodes that
 * could take it, their order as `placeTasks` would try them.
 */
import type { Task } from '@shoal/types';
import { ClusterView } from './cluster-view.js';
import { FILTERS } from './filters.js';
import { rankKey } from './rank.js';
import { taskRequirements } from './requirements.js';
import type { NodeExplanation, PlacementInput, PlacementOptions } from './types.js';

export function explainPlacement(input: PlacementInput, task: Task, opts: PlacementOptions = {}): NodeExplanation[] {
  const view = new ClusterView(input.nodes, input.tasks, new Set([task.id]), new Set([task.serviceId]));
  const req = taskRequirements(task);
  const active = FILTERS.filter((f) => f.applies(req));
  const counts = view.countsOf(req.serviceId);
  const staticFit: number[] = [];
  const out: NodeExplanation[] = view.nodes.map((node, i) => {
    const failed = active.filter((f) => !f.accepts(view, i, req));
    if (!failed.some((f) => !f.dynamic)) staticFit.push(i);
    const reasons = req.invalid ? [req.invalid, ...failed.map((f) => f.explain(view, i, req))] : failed.map((f) => f.explain(view, i, req));
    return { nodeId: node.id, name: node.name, eligible: reasons.length === 0, reasons };
  });

  // Preference levels rank first: tasks of the service under the node's value, among nodes the spec allows.
  const levelCounts = req.preferences.map((pref) => {
    const byValue = new Map<string, number>();
    for (const i of staticFit) {
      const v = pref.get(view.nodes[i]) ?? '';
      byValue.set(v, (byValue.get(v) ?? 0) + counts[i]);
    }
    return byValue;
  });
  const key = (i: number) => req.preferences.map((pref, l) => levelCounts[l].get(pref.get(view.nodes[i]) ?? '') ?? 0);
  const eligible = out.map((e, i) => i).filter((i) => out[i].eligible);
  const ranked = new Map<number, { prefs: number[]; rank: number }>(
    eligible.map((i) => [i, { prefs: key(i), rank: rankKey(view, i, req, counts, opts.strategy ?? 'spread') }]),
  );
  eligible.sort((x, y) => {
    if (x === y) return 0;
    const a = ranked.get(x)!;
    const b = ranked.get(y)!;
    for (let l = 0; l < a.prefs.length; l++) if (a.prefs[l] !== b.prefs[l]) return a.prefs[l] - b.prefs[l];
    return a.rank - b.rank || x - y;
  });
  eligible.forEach((i, position) => (out[i].score = eligible.length - position));
  const order = [...eligible, ...out.map((_, i) => i).filter((i) => !out[i].eligible)];
  return order.map((i) => out[i]);
}
