/**
 * What every task learns about itself from its environment, whatever the
 * driver: a process can find its identity without talking to the agent.
 */
import type { Task } from '@shoal/types';

export function taskEnv(task: Task, nodeId: string): Record<string, string> {
  return {
    ...(task.spec.env ?? {}),
    SHOAL_TASK_ID: task.id,
    SHOAL_SERVICE: task.serviceName,
    SHOAL_SLOT: String(task.slot),
    SHOAL_NODE_ID: nodeId,
  };
}

/** Default grace between the stop signal and a kill, as Docker's. */
export const DEFAULT_STOP_GRACE_MS = 10_000;

export function stopGraceMs(task: Task): number {
  return task.spec.stopGracePeriodMs ?? DEFAULT_STOP_GRACE_MS;
}
