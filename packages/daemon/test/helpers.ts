import type { Task } from '@shoal/types';
import { waitFor, type LocalCluster } from '../src/local-cluster.js';

export const running = (tasks: Task[]) => tasks.filter((t) => t.desiredState === 'running' && t.status.state === 'running');

/** Waits until the service has exactly `n` running tasks, none on the excluded nodes. */
export async function waitRunning(c: LocalCluster, service: string, n: number, opts: { exclude?: string[]; via?: number[]; timeoutMs?: number } = {}): Promise<Task[]> {
  return waitFor(`${n} running tasks of ${service}`, opts.timeoutMs ?? 30_000, async () => {
    const tasks = await c.anyClient(opts.via ?? []).listTasks({ service });
    const r = running(tasks);
    const live = tasks.filter((t) => t.desiredState === 'running');
    if (r.length !== n || live.length !== n) return false;
    if (opts.exclude && r.some((t) => opts.exclude!.includes(t.nodeId!))) return false;
    return r;
  });
}

export async function leaderIndex(c: LocalCluster, except: number[] = []): Promise<number> {
  return waitFor('a leader', 30_000, async () => {
    const st = await c.anyClient(except).clusterStatus();
    if (!st.leader) return false;
    const i = c.nodes.findIndex((n) => n.id === st.leader!.id);
    return i >= 0 && !except.includes(i) ? i + 1 : false;
  }).then((i) => i - 1);
}
