/**
 * `depends_on` at deploy time: before a service is created, each of its
 * dependencies must have a task running (`service_started`) or every
 * desired task running and passing its health check (`service_healthy`).
 * Polls the API with a deadline; on timeout says what the dependency is doing.
 */
import { ErrorCode, ShoalError, type Task } from '@shoal/types';
import type { ShoalClient } from '@shoal/api';
import { diagnose } from '../follow.js';
import { formatDuration } from '../units.js';
import type { DependencyCondition } from '../compose/index.js';

export interface WaitOptions {
  timeoutMs: number;
  pollMs?: number;
}

function satisfied(tasks: Task[], version: number, desired: number, condition: DependencyCondition): { ok: boolean; status: string } {
  const current = tasks.filter((t) => t.desiredState === 'running' && t.serviceVersion === version && t.status.state === 'running');
  if (condition === 'started') return { ok: current.length > 0, status: `${current.length}/${desired} tasks running` };
  const healthy = current.filter((t) => t.status.health === 'healthy').length;
  return { ok: healthy >= Math.max(desired, 1), status: `${healthy}/${desired} tasks healthy, ${current.length} running` };
}

export async function waitForDependency(client: ShoalClient, dependant: string, dependency: string, condition: DependencyCondition, opts: WaitOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const service = await client.getService(dependency);
    const tasks = await client.listTasks({ service: dependency });
    const desired = service.spec.mode === 'global' ? tasks.filter((t) => t.desiredState === 'running').length : (service.spec.replicas ?? 1);
    const state = satisfied(tasks, service.version, desired, condition);
    if (state.ok) return;
    if (Date.now() >= deadline) {
      const why = diagnose(service, await client.listTasks({ service: dependency, all: true }));
      throw new ShoalError(
        ErrorCode.Timeout,
        `${dependant} depends on ${dependency} being ${condition === 'healthy' ? 'healthy' : 'started'}, and it was not within ${formatDuration(opts.timeoutMs)}: ${state.status}${why ? `; ${why}` : ''}`,
        { service: dependency },
      );
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
  }
}
