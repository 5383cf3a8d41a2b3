import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The first port of the kernel's ephemeral range. A port below it is never
 * taken as the source port of an outgoing connection, which is how a port
 * found free by binding 0 got taken before an agent could listen on it
 * (EADDRINUSE in a loaded CI run: other tests' clients connect meanwhile).
 */
function ephemeralStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > 2048 ? first : 32768;
  } catch {
    return 32768;
  }
}

function tryListen(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(null));
    srv.listen(port, '127.0.0.1', () => {
      const bound = (srv.address() as { port: number }).port;
      srv.close(() => resolve(bound));
    });
  });
}

/** A loopback TCP port that was free a moment ago, chosen below the ephemeral range so no outgoing connection takes it meanwhile. */
export async function freePort(): Promise<number> {
  const top = ephemeralStart();
  const bottom = Math.max(1024, Math.min(10_000, top - 1000));
  for (let i = 0; i < 50; i++) {
    const port = bottom + Math.floor(Math.random() * (top - bottom));
    const got = await tryListen(port);
    if (got !== null) return got;
  }
  const any = await tryListen(0);
  if (any === null) throw new Error('no free loopback port');
  return any;
}
