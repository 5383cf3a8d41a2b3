/** Randomness is injected (node's randomBytes in the daemon, a seeded source in tests). */
export type RandomBytes = (n: number) => Uint8Array;
