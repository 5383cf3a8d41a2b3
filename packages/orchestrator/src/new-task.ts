import type { Service, Task } from '@shoal/types';
import type { Context } from './context.js';
import type { RestartCarry } from './restart.js';

/** A fresh task of the service's current spec for a slot (or a node, for global services). */
export function newTask(ctx: Context, service: Service, slot: number, nodeId: string | undefined, carry?: Partial<RestartCarry>): Task {
  const t: Task = {
    id: ctx.newId(),
    serviceId: service.id,
    serviceName: service.spec.name,
    serviceVersion: service.version,
    slot,
    desiredState: 'running',
    status: { state: 'new', timestamp: ctx.now, message: 'created' },
    spec: service.spec,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  if (nodeId !== undefined) t.nodeId = nodeId;
  if (carry?.history && carry.history.length > 0) t.restartHistory = carry.history;
  if (carry?.streak) t.restartStreak = carry.streak;
  return t;
}
