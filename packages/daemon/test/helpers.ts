import type { Task } from '@shoal/types';
import { ShoalClient } from '@shoal/api';
import { after, before } from 'node:test';
import { LocalCluster, waitFor, type LocalClusterOptions } from '@shoal/testkit';

/** Real agents on loopback, talked to through the API client. */
export type ApiCluster = LocalCluster<ShoalClient>;

export function apiCluster(opts: Omit<LocalClusterOptions<ShoalClient>, 'client'>): ApiCluster {
  return new LocalCluster({ ...opts, client: (conn) => new ShoalClient(conn) });
}

/** A cluster every test of one file shares, and the API client of one of its nodes. */
export interface FileCluster {
  readonly c: ApiCluster;
  readonly cl: ShoalClient;
}

/**
 * Starts one cluster before the first test of the file (then runs `setup`,
 * if any) and stops it after the last, however the tests end. `via` is the
 * node whose client `cl` is.
 */
export function clusterPerFile(opts: Omit<LocalClusterOptions<ShoalClient>, 'client'>, via = 0, setup?: (f: FileCluster) => Promise<void>): FileCluster {
  let c: ApiCluster | undefined;
  let cl: ShoalClient | undefined;
  const f: FileCluster = {
    get c() {
      if (!c) throw new Error('the cluster starts in before(): use it inside a test');
      return c;
    },
    get cl() {
      if (!cl) throw new Error('the cluster starts in before(): use it inside a test');
      return cl;
    },
  };
  before(async () => {
    c = apiCluster(opts);
    await c.start();
    cl = c.client(via);
    await setup?.(f);
  });
  after(async () => {
    await c?.stop();
  });
  return f;
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
