/**
 * Canary updates (Nomad's `canary` + `promote`, swarmkit#1045): an update
 * with `update.canary: N` first starts N tasks of the new version in extra
 * slots above the replica count, beside the old tasks, and waits. The
 * operator promotes (`shoal service promote`), or `autoPromote` does once
 * every canary has been up for the monitor period; the canaries then take
 * over the first replica slots (state: service.promote) and the rolling
 * update replaces the rest. A rollback, a failed canary (the failure action)
 * or a newer update drops them: outside the canary phase their slots are
 * unwanted and they are removed.
 */
import type { ResolvedServiceSpec, Service, Task } from '@shoal/types';
import { sameTaskSpec } from '@shoal/state';
import type { Context } from './context.js';
import type { SlotOutcome } from './slot.js';
import { isUp } from './task-facts.js';
import type { ActiveUpdate } from './update.js';

/** How many canary slots this step keeps: N while an update waits for promotion, else 0. */
export function canarySlots(service: Service, spec: ResolvedServiceSpec, update: ActiveUpdate | undefined): number {
  if (!update || update.rollingBack || service.updateStatus?.canary !== 'waiting') return 0;
  return spec.update.canary;
}

/** A canary slot holding a canary of an earlier update: stop it so one of the current version starts. */
export function retireStaleCanaries(ctx: Context, service: Service, tasks: Task[]): void {
  for (const t of tasks) {
    if (t.desiredState === 'running' && !sameTaskSpec(t.spec, service.spec)) ctx.stop(t, 'remove', `replaced by a canary of version ${service.version}`);
  }
}

/** Marks the tasks just created in canary slots, and promotes or reports once they are all up. */
export function progressCanary(ctx: Context, service: Service, spec: ResolvedServiceSpec, outcomes: SlotOutcome[]): void {
  const wanted = spec.update.canary;
  const live: Task[] = [];
  for (const o of outcomes) {
    if (o.created) o.occupants[o.occupants.length - 1].canary = true;
    live.push(...o.occupants.filter((t) => sameTaskSpec(t.spec, service.spec)));
  }
  const up = live.filter(isUp);
  const name = service.spec.name;
  if (up.length < wanted) {
    report(ctx, service, `canary: ${up.length} of ${wanted} new task(s) up beside the old ones`);
    return;
  }
  const lastUp = Math.max(...up.map((t) => t.status.timestamp));
  if (!spec.update.autoPromote) {
    report(ctx, service, `canary: ${wanted} new task(s) up beside the old ones; promote with \`shoal service promote ${name}\` or drop them with \`shoal service rollback ${name}\``);
    return;
  }
  const at = lastUp + spec.update.monitorMs;
  if (ctx.now < at) {
    ctx.wake(at);
    report(ctx, service, `canary: ${wanted} new task(s) up; promoted automatically if they stay healthy until ${new Date(at).toISOString()}`);
    return;
  }
  ctx.serviceCommands.push({ type: 'service.promote', at: ctx.now, serviceId: service.id, expectVersion: service.version });
  ctx.plan.updates.push({ service: name, message: `canaries healthy for ${spec.update.monitorMs} ms: promoted` });
}

/** Proposes the canary status message only when it changes, so a waiting canary costs no log entries. */
function report(ctx: Context, service: Service, message: string): void {
  const st = service.updateStatus!;
  if (st.message === message) return;
  ctx.serviceCommands.push({ type: 'service.updateStatus', at: ctx.now, serviceId: service.id, status: { ...st, message }, expectVersion: service.version });
  ctx.plan.updates.push({ service: service.spec.name, message });
}
