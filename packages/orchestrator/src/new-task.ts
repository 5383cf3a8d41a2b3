import type { Service, Task } from '@shoal/types';
import type { Context } from './context.js';

/** A fresh task of the service's current spec for a slot (or a node, for global services). */
export function newTask(ctx: Context, service: Service, slot: number, nodeId: string | undefined, restartHistory?: number[]): Task {
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
  if (restartHistory && restartHistory.length > 0) t.restartHistory = restartHistory;
  return t;
}
