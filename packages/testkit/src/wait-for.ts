/**
 * Polls a condition with a deadline, for tests that drive real I/O (real
 * sockets, processes, engines); logical-clock tests never need it.
 */
export interface WaitOptions {
  /** Give up after this long (default 15 s). */
  timeoutMs?: number;
  /** Pause between probes (default 20 ms). */
  everyMs?: number;
}

/** What a probe's truthy result can be: not false, null, undefined, 0 or ''. */
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/**
 * Resolves with the probe's first truthy value. A probe that throws is
 * retried (the node may not be up yet); its last error is in the timeout
 * message.
 */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, opts: WaitOptions = {}): Promise<Truthy<T>> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const everyMs = opts.everyMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as Truthy<T>;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) {
      const last = lastErr ? ` (last error: ${lastErr instanceof Error ? lastErr.message : String(lastErr)})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
