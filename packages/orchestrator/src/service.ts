/** Reconciles one service: lays out its slots (replicas or eligible nodes), then drives its rolling update. Jobs: job.ts. */
import { applySpecDefaults, isJobMode, type Service, type Task } from '@shoal/types';
import type { Context } from './context.js';
import { globalEligibility } from './eligibility.js';
import { reconcileJob } from './job.js';
import { canarySlots, progressCanary, retireStaleCanaries } from './canary.js';
import { reconcileSlot, type SlotOutcome, type SlotSpec } from './slot.js';
import { activeUpdate, checkUpdateFailures, progressUpdate } from './update.js';
import { stickyNode } from './sticky.js';

function group(tasks: Task[], key: (t: Task) => string): Map<string, Task[]> {
  const m = new Map<string, Task[]>();
  for (const t of tasks) {
    const k = key(t);
    const list = m.get(k);
    if (list) list.push(t);
    else m.set(k, [t]);
  }
  return m;
}

export function reconcileService(ctx: Context, service: Service): void {
  const spec = applySpecDefaults(service.spec);
  if (isJobMode(spec.mode)) return reconcileJob(ctx, service, spec);
  const tasks = ctx.view.tasksByService(service.id);
  const update = activeUpdate(service, spec);
  const canaries = spec.mode === 'replicated' ? canarySlots(service, spec, update) : 0;
  const slots: { spec: SlotSpec; tasks: Task[] }[] = [];

  if (spec.mode === 'global') {
    const eligible = globalEligibility(spec);
    const byNode = group(tasks, (t) => t.nodeId ?? '');
    for (const node of ctx.nodes.values()) {
      const ok = eligible(node);
      const mine = byNode.get(node.id) ?? [];
      byNode.delete(node.id);
      if (!ok && mine.length === 0) continue;
      slots.push({
        spec: { slot: 0, nodeId: node.id, wanted: ok, canCreate: node.availability === 'active', unwantedAs: 'shutdown', unwantedReason: `node ${node.name} is no longer eligible` },
        tasks: mine,
      });
    }
    // Tasks bound to nodes that no longer exist.
    for (const [nodeId, mine] of byNode) {
      slots.push({ spec: { slot: 0, nodeId, wanted: false, canCreate: false, unwantedAs: 'shutdown', unwantedReason: 'node removed' }, tasks: mine });
    }
  } else {
    const replicas = spec.replicas ?? 1;
    const bySlot = group(tasks, (t) => String(t.slot));
    for (let slot = 1; slot <= replicas + canaries; slot++) {
      const mine = bySlot.get(String(slot)) ?? [];
      if (slot > replicas) retireStaleCanaries(ctx, service, mine);
      const sticky = slot <= replicas ? stickyNode(spec, mine, ctx.nodes) : undefined;
      slots.push({ spec: { slot, wanted: true, canCreate: true, unwantedAs: 'remove', unwantedReason: '', ...(sticky ? { nodeId: sticky, sticky: true } : {}) }, tasks: mine });
      bySlot.delete(String(slot));
    }
    for (const [slot, mine] of bySlot) {
      const why = mine.some((t) => t.canary) ? 'canary dropped' : `scaled down to ${replicas}`;
      slots.push({ spec: { slot: Number(slot), wanted: false, canCreate: false, unwantedAs: 'remove', unwantedReason: why }, tasks: mine });
    }
  }

  if (update) {
    const total = slots.filter((s) => s.spec.wanted).length;
    if (checkUpdateFailures(ctx, service, update, tasks, total)) return;
  }
  const outcomes: SlotOutcome[] = slots.map((s) => reconcileSlot(ctx, service, spec, s.spec, s.tasks));
  // While canaries wait for promotion, the old tasks stay: no rolling replacement yet.
  if (canaries > 0) progressCanary(ctx, service, spec, outcomes.filter((o) => o.slot.wanted && o.slot.slot > (spec.replicas ?? 1)));
  else if (update) progressUpdate(ctx, service, update, outcomes);
}
