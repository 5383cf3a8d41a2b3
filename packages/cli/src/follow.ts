/**
 * Follow a change until the service converges: all desired tasks of the
 * newest version running. Shows progress while waiting; on timeout, a rolled
 * back or paused update, it fails with the reason (pending explanations,
 * failed task errors) so the operator knows what to fix.
 */
import cliProgress from 'cli-progress';
import { ErrorCode, ShoalError, type Service, type Task } from '@shoal/types';
import { sameTaskSpec } from '@shoal/state';
import type { ShoalClient } from '@shoal/api';
import type { Output } from './output.js';
import { formatDuration } from './units.js';
import { restartNote } from './restart-note.js';

export type ChangeKind = 'deploy' | 'scale' | 'rollback';

export interface FollowOptions {
  kind: ChangeKind;
  timeoutMs: number;
  pollMs?: number;
  output: Output;
}

export interface Progress {
  running: number;
  desired: number;
  converged: boolean;
  /** Set when following stopped for a reason other than convergence (canaries waiting for promotion). */
  note?: string;
}

/** The running canaries of an update that waits for promotion once all are up; null otherwise. */
export function waitingCanaries(service: Service, tasks: Task[]): number | null {
  if (service.updateStatus?.state !== 'updating' || service.updateStatus.canary !== 'waiting') return null;
  const wanted = service.spec.update?.canary ?? 0;
  const replicas = service.spec.replicas ?? 1;
  const up = tasks.filter((t) => t.serviceId === service.id && t.desiredState === 'running' && t.slot > replicas && t.serviceVersion === service.version && t.status.state === 'running').length;
  return wanted > 0 && up >= wanted ? up : null;
}

/** Where a service stands, from its spec and its live tasks. */
export function measure(service: Service, tasks: Task[], kind: ChangeKind): Progress {
  const live = tasks.filter((t) => t.serviceId === service.id && t.desiredState === 'running');
  // A scale keeps the existing tasks: their version may lag behind the service's. So does a change
  // that replaces no task (a rollback that drops canaries, a new priority): same task spec, still current.
  const current = kind === 'scale' ? live : live.filter((t) => t.serviceVersion === service.version || sameTaskSpec(t.spec, service.spec));
  const stale = live.length - current.length;
  const desired = service.spec.mode === 'global' ? current.length : (service.spec.replicas ?? 1);
  const running = current.filter((t) => t.status.state === 'running').length;
  const state = service.updateStatus?.state;
  const updateDone = state === undefined || state === 'completed' || state === 'rollback_completed';
  return { running, desired, converged: running === desired && current.length === desired && stale === 0 && updateDone };
}

/**
 * What the bare count hides, shown beside it while following: old-version
 * tasks that still serve during an update, and failed tasks with their error
 * and restart backoff (so a crash loop shows at once, not at the timeout).
 */
export function progressNote(service: Service, tasks: Task[], kind: ChangeKind, now: number): string {
  const live = tasks.filter((t) => t.serviceId === service.id && t.desiredState === 'running');
  const parts: string[] = [];
  const old = kind === 'scale' ? 0 : live.filter((t) => t.serviceVersion !== service.version && t.status.state === 'running').length;
  if (old > 0) parts.push(`${old} old still running`);
  const failed = live.filter((t) => t.status.state === 'failed' || t.status.state === 'rejected');
  if (failed.length > 0) {
    const last = failed.reduce((a, b) => (b.status.timestamp > a.status.timestamp ? b : a));
    const note = restartNote(last, now);
    parts.push(`${failed.length} failed: ${last.status.error ?? last.status.message}${note ? `, ${note}` : ''}`);
  }
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

/** Why a service is not converged, in one line. */
export function diagnose(service: Service, tasks: Task[]): string {
  const mine = tasks.filter((t) => t.serviceId === service.id && t.serviceVersion === service.version);
  const pending = [...new Set(mine.filter((t) => t.status.state === 'pending' && t.desiredState === 'running').map((t) => t.pendingReason ?? 'no node chosen yet'))];
  const failed = [...new Set(mine.filter((t) => t.status.state === 'failed' || t.status.state === 'rejected').map((t) => `task ${t.id.slice(0, 12)}: ${t.status.error ?? t.status.message}`))];
  const parts: string[] = [];
  if (pending.length) parts.push(`pending: ${pending.slice(0, 3).join('; ')}`);
  if (failed.length) parts.push(`failed: ${failed.slice(0, 3).join('; ')}`);
  return parts.join('; ');
}

function rolledBack(service: Service, kind: ChangeKind): string | undefined {
  const s = service.updateStatus;
  if (!s || kind === 'rollback') return undefined;
  if (s.state === 'rollback_started' || s.state === 'rollback_completed' || s.state === 'rollback_paused') {
    return s.message.startsWith('update rolled back') ? s.message : `update rolled back: ${s.message}`;
  }
  if (s.state === 'paused') return s.message.startsWith('update paused') ? s.message : `update paused: ${s.message}`;
  return undefined;
}

function progressView(name: string, output: Output): { update: (p: Progress, note: string) => void; stop: () => void } {
  if (output.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${name} [{bar}] {value}/{total} tasks running{note}`, stream: process.stderr, hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update: (p, note) => {
        if (!started) bar.start(p.desired, p.running, { note });
        started = true;
        bar.setTotal(p.desired);
        bar.update(p.running, { note });
      },
      stop: () => started && bar.stop(),
    };
  }
  let last = '';
  return {
    update: (p, note) => {
      const line = `${name}: ${p.running}/${p.desired} tasks running${note}`;
      if (line !== last) output.err(line);
      last = line;
    },
    stop: () => undefined,
  };
}

export async function followService(client: ShoalClient, name: string, opts: FollowOptions): Promise<Progress> {
  const deadline = Date.now() + opts.timeoutMs;
  const view = progressView(name, opts.output);
  try {
    for (;;) {
      const service = await client.getService(name);
      const tasks = await client.listTasks({ service: name });
      const progress = measure(service, tasks, opts.kind);
      view.update(progress, progressNote(service, tasks, opts.kind, Date.now()));
      const back = rolledBack(service, opts.kind);
      if (back) throw new ShoalError(ErrorCode.Conflict, back, { service: name });
      if (progress.converged) return progress;
      const canaries = waitingCanaries(service, tasks);
      if (canaries !== null) return { ...progress, note: `${canaries} canary task(s) of version ${service.version} running beside the old ones; promote with \`shoal service promote ${name}\` or drop them with \`shoal service rollback ${name}\`` };
      if (Date.now() >= deadline) {
        const history = await client.listTasks({ service: name, all: true });
        const why = diagnose(service, history);
        throw new ShoalError(
          ErrorCode.Timeout,
          `${name} did not converge within ${formatDuration(opts.timeoutMs)}: ${progress.running}/${progress.desired} tasks running${why ? `; ${why}` : ''}`,
          { service: name, running: progress.running, desired: progress.desired },
        );
      }
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
    }
  } finally {
    view.stop();
  }
}
