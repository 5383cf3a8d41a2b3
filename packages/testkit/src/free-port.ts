import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/**
 * Ports handed out stay reserved for this process's life, across processes: a
 * test that kills an agent and restarts it on the same port leaves the port
 * free in between, and a test running beside it once picked it (EADDRINUSE
 * on the restart). A reservation is a file holding the owner's pid; one whose
 * owner is gone is stale.
 */
const RESERVATIONS = join(tmpdir(), 'shoal-test-ports');

function ownerAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function reserve(port: number): boolean {
  mkdirSync(RESERVATIONS, { recursive: true });
  const file = join(RESERVATIONS, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return true;
    } catch {
      let owner = NaN;
      try {
        owner = Number(readFileSync(file, 'utf8'));
      } catch {
        // removed meanwhile: try again
      }
      if (owner === process.pid || ownerAlive(owner)) return false;
      try {
        unlinkSync(file);
      } catch {
        // someone else cleared it first
      }
    }
  }
  return false;
}

/** A loopback TCP port that was free a moment ago, chosen below the ephemeral range so no outgoing connection takes it meanwhile. */
export async function freePort(): Promise<number> {
  const top = ephemeralStart();
  const bottom = Math.max(1024, Math.min(10_000, top - 1000));
  for (let i = 0; i < 50; i++) {
    const port = bottom + Math.floor(Math.random() * (top - bottom));
    if (!reserve(port)) continue;
    const got = await tryListen(port);
    if (got !== null) return got;
  }
  const any = await tryListen(0);
  if (any === null) throw new Error('no free loopback port');
  return any;
}
