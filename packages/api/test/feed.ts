/** A broadcast of values to any number of async-iterating subscribers, each until its signal aborts. */
export class Feed<T> {
  private readonly subscribers = new Set<(value: T) => void>();

  publish(value: T): void {
    for (const deliver of this.subscribers) deliver(value);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  async *subscribe(signal: AbortSignal): AsyncGenerator<T> {
    const queue: T[] = [];
    let wake: (() => void) | undefined;
    const deliver = (value: T) => {
      queue.push(value);
      wake?.();
    };
    const onAbort = () => wake?.();
    this.subscribers.add(deliver);
    signal.addEventListener('abort', onAbort);
    try {
      while (!signal.aborted) {
        if (queue.length > 0) {
          yield queue.shift()!;
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      this.subscribers.delete(deliver);
      signal.removeEventListener('abort', onAbort);
    }
  }
}
