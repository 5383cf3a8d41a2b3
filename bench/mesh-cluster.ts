// The Docker-in-Docker cluster of the e2e suite (test/e2e/lib/compose-cluster.mjs),
// typed for the mesh benchmarks, plus the few shoal and wrk calls they share.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { ServiceSpec, Service, Task, NodeInfo } from '@shoal/types';

const run = promisify(execFile);
export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Client {
  createService(spec: ServiceSpec): Promise<Service>;
  updateService(name: string, spec: ServiceSpec): Promise<Service>;
  getService(name: string): Promise<Service>;
  removeService(name: string): Promise<void>;
  listTasks(filter: { service?: string }): Promise<Task[]>;
  listNodes(): Promise<NodeInfo[]>;
  clusterStatus(): Promise<{ leader?: { id: string } }>;
}

export interface Cluster {
  image: string;
  buildImage(): number;
  up(): Promise<void>;
  down_(): Promise<void>;
  client(i: number): Client;
  exec(i: number, argv: string[], timeoutMs?: number): Promise<string>;
  kill(i: number): Promise<void>;
  start(i: number): Promise<void>;
  indexOf(nodeId: string): number;
  reachable(): number[];
}

export interface Lib {
  ComposeCluster: new (opts: { log: (...a: unknown[]) => void }) => Cluster;
  nodeIp(i: number): string;
  waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T>, everyMs?: number): Promise<T>;
  SIZE: number;
}

export interface HttpLib {
  get(host: string, port: number): Promise<LoadResult>;
  steadyLoad(targets: [string, number][], rate: number): { results: LoadResult[]; stop(): Promise<LoadResult[]> };
}
export interface LoadResult {
  ok: boolean;
  at: number;
  ms: number;
  error?: string;
  status?: number;
}

export async function loadLibs(): Promise<{ lib: Lib; http: HttpLib }> {
  const lib = (await import(pathToFileURL(join(REPO, 'test', 'e2e', 'lib', 'compose-cluster.mjs')).href)) as Lib;
  const http = (await import(pathToFileURL(join(REPO, 'test', 'e2e', 'lib', 'http-load.mjs')).href)) as HttpLib;
  return { lib, http };
}

export const runningOn = (tasks: Task[]) => tasks.filter((t) => t.desiredState === 'running' && t.status.state === 'running');

export interface WrkResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** Parses `wrk --latency` output. */
export function parseWrk(out: string): WrkResult {
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  const lat = (label: string) => {
    const m = new RegExp(`^\\s*${label}\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
    if (!m) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = num(/Non-2xx or 3xx responses: (\d+)/);
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50Ms: lat('50%'),
    p99Ms: lat('99%'),
    errors: (errs ? errs.slice(1).reduce((s, x) => s + Number(x), 0) : 0) + (Number.isNaN(non2xx) ? 0 : non2xx),
  };
}

export async function sh(cmd: string, args: string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await run(cmd, args, { maxBuffer: 64 << 20, timeout: timeoutMs });
  return stdout;
}
