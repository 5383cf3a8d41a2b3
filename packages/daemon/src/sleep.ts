/** Real-time wait for polling loops in the daemon (never used by the pure packages, which take an injected clock). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
