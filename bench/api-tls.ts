// `npm run bench -- api-tls [--requests 300]`: one agent serving its API over
// HTTPS (cluster CA certificate, pinned client) and one over plain HTTP, on
// loopback; GET /v1/nodes sequentially on a kept-alive connection, and the
// first request on a fresh client (TCP + TLS handshake).
import { ShoalClient, pinnedFetch } from '@shoal/api';
import { LocalCluster } from '@shoal/testkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { percentile, printTable, round, writeResult } from './util.js';

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

async function measure(make: () => ShoalClient, requests: number): Promise<{ firstMs: number[]; keptMs: number[] }> {
  const firstMs: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await make().listNodes();
    firstMs.push(performance.now() - t0);
  }
  const client = make();
  await client.listNodes();
  const keptMs: number[] = [];
  for (let i = 0; i < requests; i++) {
    const t0 = performance.now();
    await client.listNodes();
    keptMs.push(performance.now() - t0);
  }
  return { firstMs, keptMs };
}

export async function main(args: string[]): Promise<void> {
  const requests = arg(args, '--requests', 300);
  const plain = new LocalCluster({ size: 1, voters: 1, driver: 'exec', client: (conn) => new ShoalClient(conn) });
  // The testkit's readiness probe speaks HTTP: start with TLS through the env, probe it ourselves.
  const tls = new LocalCluster({ size: 1, voters: 1, driver: 'exec', client: (conn) => new ShoalClient(conn) });
  const rows: Record<string, unknown>[] = [];
  try {
    await plain.start();
    const p = await measure(() => plain.client(0), requests);
    rows.push({ api: 'http', requests, keptP50Ms: round(percentile(p.keptMs, 50), 2), keptP99Ms: round(percentile(p.keptMs, 99), 2), newClientP50Ms: round(percentile(p.firstMs, 50), 2) });
    await plain.stop();
    await tls.start();
    // Restart the node with --api-tls: it reuses its data dir and gets its certificate from its own CA.
    await tls.kill(0, 'SIGTERM');
    const n = tls.nodes[0];
    const { spawn } = await import('node:child_process');
    const { SHOAL_BIN } = await import('@shoal/testkit');
    const proc = spawn(process.execPath, [SHOAL_BIN, 'agent', '--data-dir', n.dataDir, '--name', n.name, '--driver', 'exec', '--p2p-listen', `127.0.0.1:${n.p2pPort}`, '--api-listen', `127.0.0.1:${n.apiPort}`, '--api-tls'], { stdio: 'ignore', env: { ...process.env, SHOAL_NETWORK: 'off' } });
    try {
      const token = readFileSync(join(n.dataDir, 'api.token'), 'utf8').trim();
      const make = () => new ShoalClient({ baseUrl: `https://127.0.0.1:${n.apiPort}`, token, fetch: pinnedFetch(readFileSync(join(n.dataDir, 'tls', 'ca.crt'), 'utf8')) });
      const deadline = Date.now() + 60_000;
      for (;;) {
        try {
          await make().listNodes();
          break;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      const t = await measure(make, requests);
      rows.push({ api: 'https (pinned CA)', requests, keptP50Ms: round(percentile(t.keptMs, 50), 2), keptP99Ms: round(percentile(t.keptMs, 99), 2), newClientP50Ms: round(percentile(t.firstMs, 50), 2) });
    } finally {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    }
  } finally {
    await plain.stop().catch(() => undefined);
    await tls.stop().catch(() => undefined);
  }
  printTable(rows);
  writeResult('api-tls', { rows });
}
