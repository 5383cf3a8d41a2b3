/**
 * A job's runs as the CLI shows them, from the service and its tasks (the
 * finished tasks of earlier runs are the run history, bounded by the
 * cluster's per-slot task history).
 */
import type { Service, Task } from '@shoal/types';

export interface JobAttempt {
  task: string;
  slot: number;
  node?: string;
  state: Task['status']['state'];
  exitCode?: number;
  error?: string;
  at: number;
}

export interface JobRunSummary {
  run: number;
  /** Tasks that exited 0. */
  completed: number;
  /** Attempts that ended in failure (retried or not). */
  failed: number;
  running: number;
  /** Slots given up on: failed and the restart policy allows no more tries. */
  givenUp: number;
  /** completions of a replicated-job; the nodes that ran it for a global-job. */
  wanted: number;
  finished: boolean;
  startedAt?: number;
  attempts: JobAttempt[];
}

const exitedZero = (t: Task) => t.status.state === 'complete' || (t.status.state === 'shutdown' && t.status.exitCode === 0);
const ended = (t: Task) => ['complete', 'shutdown', 'failed', 'rejected', 'orphaned'].includes(t.status.state);
const failedAttempt = (t: Task) => t.status.state === 'failed' || t.status.state === 'rejected' || (t.status.state === 'shutdown' && (t.status.exitCode ?? 0) !== 0);

/** A failed task the orchestrator will not retry: restart condition none, or its attempts used up (max-attempts). */
function givenUp(t: Task): boolean {
  const r = t.spec.restart ?? {};
  if (r.condition === 'none') return true;
  return (r.maxAttempts ?? 0) > 0 && (t.restartHistory?.length ?? 0) >= (r.maxAttempts ?? 0);
}

export function jobRuns(service: Service, tasks: Task[]): JobRunSummary[] {
  const byRun = new Map<number, Task[]>();
  for (const t of tasks) {
    if (t.serviceId !== service.id || t.jobIteration === undefined) continue;
    byRun.set(t.jobIteration, [...(byRun.get(t.jobIteration) ?? []), t]);
  }
  const current = service.job?.iteration ?? 0;
  return [...byRun.keys()].sort((a, b) => a - b).map((run) => summarize(service, run, byRun.get(run)!, run === current));
}

function summarize(service: Service, run: number, tasks: Task[], isCurrent: boolean): JobRunSummary {
  const slotKey = (t: Task) => (t.slot > 0 ? `#${t.slot}` : `@${t.nodeId ?? ''}`);
  const slots = new Map<string, Task[]>();
  for (const t of tasks) slots.set(slotKey(t), [...(slots.get(slotKey(t)) ?? []), t]);
  const wanted = service.spec.mode === 'global-job' ? slots.size : (service.spec.job?.completions ?? 1);
  let completed = 0;
  let given = 0;
  for (const inSlot of slots.values()) {
    if (inSlot.some(exitedZero)) completed++;
    else if (inSlot.every(ended) && inSlot.some((t) => t.desiredState === 'running' && givenUp(t))) given++;
  }
  const running = tasks.filter((t) => !ended(t) && t.desiredState === 'running').length;
  const settled = completed + given >= wanted && running === 0;
  const attempts = [...tasks]
    .sort((a, b) => a.slot - b.slot || a.createdAt - b.createdAt)
    .map((t) => {
      const a: JobAttempt = { task: t.id, slot: t.slot, state: t.status.state, at: t.status.timestamp };
      if (t.nodeId !== undefined) a.node = t.nodeId;
      if (t.status.exitCode !== undefined) a.exitCode = t.status.exitCode;
      if (t.status.error !== undefined) a.error = t.status.error;
      return a;
    });
  const startedAt = isCurrent ? service.job?.startedAt : Math.min(...tasks.map((t) => t.createdAt));
  return {
    run,
    completed,
    failed: tasks.filter(failedAttempt).length,
    running,
    givenUp: given,
    wanted,
    // An earlier run is over whatever it reached: the next run superseded it.
    finished: isCurrent ? settled : true,
    ...(startedAt !== undefined ? { startedAt } : {}),
    attempts,
  };
}

export function runLine(name: string, r: JobRunSummary): string {
  const parts = [`${r.completed}/${r.wanted} completed`];
  if (r.running > 0) parts.push(`${r.running} running`);
  if (r.failed > 0) parts.push(`${r.failed} failed attempt${r.failed === 1 ? '' : 's'}`);
  if (r.givenUp > 0) parts.push(`${r.givenUp} given up`);
  return `${name}: run ${r.run}: ${parts.join(', ')}`;
}
