// `npm run bench -- footprint [--seconds 30]`: idle RSS and CPU of each
// daemon in a 5-node cluster (with one small service placed), read from /proc.
import { readFileSync } from 'node:fs';
import { ShoalClient } from '@shoal/api';
import { LocalCluster, waitFor } from '@shoal/testkit';
import { printTable, round, writeResult } from './util.js';

const TICKS = 100; // USER_HZ on Linux

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export async function main(args: string[]): Promise<void> {
  const i = args.indexOf('--seconds');
  const seconds = i >= 0 ? Number(args[i + 1]) : 30;
  const c = new LocalCluster({ size: 5, driver: 'exec', client: (conn) => new ShoalClient(conn) });
  const rows: { node: string; rssMb: number; cpuPercent: number }[] = [];
  try {
    await c.start();
    await c.client(0).createService({ name: 'idle', driver: 'exec', command: ['sleep', '1000000'], replicas: 5 });
    await waitFor('idle service running', async () => (await c.client(0).listTasks({ service: 'idle' })).filter((t) => t.status.state === 'running').length === 5, { timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 5000)); // let start-up work settle
    const pids = c.nodes.map((n) => n.proc!.pid!);
    const before = pids.map(cpuTicks);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const elapsedS = (performance.now() - t0) / 1000;
    pids.forEach((pid, k) => {
      rows.push({ node: c.nodes[k].name, rssMb: round(rssMb(pid)), cpuPercent: round(((cpuTicks(pid) - before[k]) / TICKS / elapsedS) * 100, 2) });
    });
  } finally {
    await c.stop();
  }
  printTable(rows);
  const result = {
    rssMb: round(Math.max(...rows.map((r) => r.rssMb))),
    cpuPercent: round(Math.max(...rows.map((r) => r.cpuPercent)), 2),
    meanRssMb: round(rows.reduce((a, r) => a + r.rssMb, 0) / rows.length),
    meanCpuPercent: round(rows.reduce((a, r) => a + r.cpuPercent, 0) / rows.length, 2),
    seconds,
    nodes: rows,
  };
  console.log(`max over nodes: ${result.rssMb} MB RSS, ${result.cpuPercent} % of one core`);
  writeResult('footprint', result);
}
