/**
 * Committed changes fan out to `/v1/events` subscribers. Each subscriber has
 * a bounded queue: a slow reader loses the oldest events (and is told so by a
 * gap in `index`) instead of growing the daemon's memory.
 */
import type { ClusterEvent } from '@shoal/api';

const MAX_QUEUE = 1000;

export class EventBus {
  private readonly subscribers = new Set<{ queue: ClusterEvent[]; notify: (() => void) | null }>();

  publish(ev: ClusterEvent): void {
    for (const s of this.subscribers) {
      s.queue.push(ev);
      if (s.queue.length > MAX_QUEUE) s.queue.shift();
      const n = s.notify;
      s.notify = null;
      n?.();
    }
  }

  get size(): number {
    return this.subscribers.size;
  }

  async *subscribe(signal: AbortSignal): AsyncGenerator<ClusterEvent> {
    const sub = { queue: [] as ClusterEvent[], notify: null as (() => void) | null };
    this.subscribers.add(sub);
    const onAbort = () => sub.notify?.();
    signal.addEventListener('abort', onAbort);
    try {
      while (!signal.aborted) {
        if (sub.queue.length === 0) {
          await new Promise<void>((r) => (sub.notify = r));
          continue;
        }
        yield sub.queue.shift()!;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.subscribers.delete(sub);
    }
  }
}
