/**
 * What the console knows about the cluster, kept fresh by the agent's event
 * stream: every committed change triggers one (coalesced) reload of nodes,
 * services and tasks. Only the Raft figures and member health, which change
 * without a committed event, are re-read on a slow timer.
 */
import type { ApiSession, ShoalClient } from '@shoal/api/client';
import type { ClusterEvent, ClusterStatus } from '@shoal/api/contract';
import type { NodeInfo, Service, Task } from '@shoal/types';

export type StreamState = 'connecting' | 'live' | 'retrying';

export interface Snapshot {
  nodes: NodeInfo[];
  services: Service[];
  /** Every task the cluster still remembers, finished ones included (history). */
  tasks: Task[];
  cluster: ClusterStatus | null;
  /** The token's name and role; null until read. */
  session: ApiSession | null;
  events: ClusterEvent[];
  stream: StreamState;
  /** Last error met while reading (shown as a banner), null when fine. */
  error: string | null;
  loadedAt: number;
}

const MAX_EVENTS = 500;
const STATUS_EVERY_MS = 2000;
const RELOAD_COALESCE_MS = 150;

export class ClusterStore {
  snapshot: Snapshot = { nodes: [], services: [], tasks: [], cluster: null, session: null, events: [], stream: 'connecting', error: null, loadedAt: 0 };
  private readonly listeners = new Set<() => void>();
  private readonly abort = new AbortController();
  private reloadTimer: ReturnType<typeof setTimeout> | null = null;
  private statusTimer: ReturnType<typeof setInterval> | null = null;

  readonly client: ShoalClient;

  /** `connect` makes the client; the store watches it to learn when the event stream opens. */
  constructor(connect: (watch: (path: string, res: Response) => void) => ShoalClient) {
    this.client = connect((path, res) => {
      if (path === '/v1/events' && res.ok) this.set({ stream: 'live' });
    });
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  start(): void {
    void this.readSession();
    void this.reload();
    void this.follow();
    this.statusTimer = setInterval(() => void this.reloadStatus(), STATUS_EVERY_MS);
  }

  stop(): void {
    this.abort.abort();
    if (this.statusTimer) clearInterval(this.statusTimer);
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
  }

  /** Reload soon; many events in a burst cause one reload. */
  reloadSoon(): void {
    if (this.reloadTimer) return;
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = null;
      void this.reload();
    }, RELOAD_COALESCE_MS);
  }

  async reload(): Promise<void> {
    try {
      const [nodes, services, tasks, cluster] = await Promise.all([
        this.client.listNodes(),
        this.client.listServices(),
        this.client.listTasks({ all: true }),
        this.client.clusterStatus(),
      ]);
      this.set({ nodes, services, tasks, cluster, error: null, loadedAt: Date.now() });
    } catch (err) {
      this.set({ error: (err as Error).message });
    }
  }

  private async readSession(): Promise<void> {
    try {
      this.set({ session: await this.client.session() });
    } catch (err) {
      this.set({ error: `cannot read this token's role: ${(err as Error).message}` });
    }
  }

  private async reloadStatus(): Promise<void> {
    try {
      this.set({ cluster: await this.client.clusterStatus() });
    } catch (err) {
      this.set({ error: (err as Error).message });
    }
  }

  /** Reads /v1/events with the token in a header (fetch, not EventSource); reconnects with backoff. */
  private async follow(): Promise<void> {
    let backoff = 500;
    while (!this.abort.signal.aborted) {
      try {
        for await (const ev of this.client.events(this.abort.signal)) {
          backoff = 500;
          this.set({ events: [ev, ...this.snapshot.events].slice(0, MAX_EVENTS) });
          this.reloadSoon();
        }
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.set({ error: `event stream: ${(err as Error).message}` });
      }
      if (this.abort.signal.aborted) return;
      this.set({ stream: 'retrying' });
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, 5000);
      // Whatever was committed while the stream was down is read again in full.
      void this.reload();
    }
  }

  private set(patch: Partial<Snapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const fn of this.listeners) fn();
  }
}
