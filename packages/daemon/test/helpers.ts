import type { Task } from '@shoal/types';
import { ShoalClient } from '@shoal/api';
import { LocalCluster, waitFor, type LocalClusterOptions } from '@shoal/testkit';

/** Real agents on loopback, talked to through the API client. */
export type ApiCluster = LocalCluster<ShoalClient>;

export function apiCluster(opts: Omit<LocalClusterOptions<ShoalClient>, 'client'>): ApiCluster {
  return new LocalCluster({ ...opts, client: (conn) => new ShoalClient(conn) });
}

export const running = (tasks: Task[]) => tasks.filter((t) => t.desiredState === 'running' && t.status.state === 'running');

/** Waits until the service has exactly `n` running tasks, none on the excluded nodes. */
export async function waitRunning(c: ApiCluster, service: string, n: number, opts: { exclude?: string[]; via?: number[]; timeoutMs?: number } = {}): Promise<Task[]> {
  return waitFor(`${n} running tasks of ${service}`, async () => {
    const tasks = await c.anyClient(opts.via ?? []).listTasks({ service });
    const r = running(tasks);
    const live = tasks.filter((t) => t.desiredState === 'running');
    if (r.length !== n || live.length !== n) return false;
    if (opts.exclude && r.some((t) => opts.exclude!.includes(t.nodeId!))) return false;
    return r;
  }, { timeoutMs: opts.timeoutMs ?? 30_000 });
}

export async function leaderIndex(c: ApiCluster, except: number[] = []): Promise<number> {
  return waitFor('a leader', async () => {
    const st = await c.anyClient(except).clusterStatus();
    if (!st.leader) return false;
    const i = c.nodes.findIndex((n) => n.id === st.leader!.id);
    return i >= 0 && !except.includes(i) ? i + 1 : false;
  }, { timeoutMs: 30_000 }).then((i) => i - 1);
}
