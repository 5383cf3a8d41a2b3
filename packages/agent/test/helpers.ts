/** Shared test helpers of the agent: task fixtures, a silent logger, a report log. */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { ServiceSpec, Task, TaskStatus } from '@shoal/types';

export const silentLogger = pino({ level: process.env.SHOAL_TEST_LOG ?? 'silent' });

let seq = 0;
export function makeTask(spec: Partial<ServiceSpec> & { name?: string }, over: Partial<Task> = {}): Task {
  seq++;
  const id = over.id ?? randomUUID().replaceAll('-', '');
  return {
    id,
    serviceId: `svc-${spec.name ?? 'test'}`,
    serviceName: spec.name ?? 'test',
    serviceVersion: 1,
    slot: over.slot ?? seq,
    nodeId: 'node-1',
    desiredState: 'running',
    status: { state: 'assigned', timestamp: 0, message: 'assigned' },
    spec: { name: 'test', ...spec } as ServiceSpec,
    createdAt: 0,
    updatedAt: 0,
    ...over,
  };
}

/** Collects every report an agent makes, as the replica would apply them. */
export class ReportLog {
  readonly calls: { taskId: string; status: TaskStatus }[][] = [];
  readonly byTask = new Map<string, TaskStatus[]>();
  failNext = 0;
  report = async (updates: { taskId: string; status: TaskStatus }[]): Promise<void> => {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('no leader (test)');
    }
    this.calls.push(updates);
    for (const u of updates) this.byTask.set(u.taskId, [...(this.byTask.get(u.taskId) ?? []), u.status]);
  };
  states(taskId: string): string[] {
    return (this.byTask.get(taskId) ?? []).map((s) => s.state);
  }
  last(taskId: string): TaskStatus | undefined {
    return this.byTask.get(taskId)?.at(-1);
  }
  /** The task as the replica now sees it (status applied). */
  applied(task: Task): Task {
    const last = this.last(task.id);
    return last ? { ...task, status: last } : task;
  }
}
