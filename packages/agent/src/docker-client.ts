/**
 * The dockerode client, loaded on first use. dockerode pulls in ssh2 (for
 * ssh:// engines), whose asm.js poly1305 allocates a 16 MB heap at load: an
 * agent that runs only the exec driver should not pay that (measured: an
 * idle exec-only agent's external memory fell from ~25 MB to ~8 MB).
 */
import { createRequire } from 'node:module';
import type Docker from 'dockerode';

let ctor: typeof Docker | undefined;

/** A client for the local engine (DOCKER_HOST is honoured). */
export function dockerClient(): Docker {
  ctor ??= createRequire(import.meta.url)('dockerode') as typeof Docker;
  return new ctor();
}
