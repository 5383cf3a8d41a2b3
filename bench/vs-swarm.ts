// `npm run bench -- vs-swarm [--runs N] [--only shoal|swarm]`: failover time
// of shoal vs Docker Swarm on the same 5 Docker-in-Docker machines
// (docker-compose.test.yml). A 6-replica `sleep` service; each run kills
// (`docker kill`) the node running the most of its tasks and times until 6
// replicas run again on the survivors, polling a surviving node. The killed
// node is started again (and, for Swarm, re-joined: its engine state lives on
// a tmpfs, like a replaced machine) before the next run.
// Swarm: 3 managers (node1-3), 2 workers (node4-5), defaults.
// Writes bench/results/vs-swarm.json.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { waitFor } from '@shoal/testkit';
import { percentile, printTable, round, writeResult } from './util.js';

const run = promisify(execFile);
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const COMPOSE = join(REPO, 'docker-compose.test.yml');
const PROJECT = 'shoalbench';
const SIZE = 5;
const IMAGE = 'shoal-test/busybox:1';
const REPLICAS = 6;
const ctr = (i: number) => `shoal-e2e-node${i + 1}`;

async function sh(cmd: string, args: string[], env: Record<string, string> = {}, timeoutMs = 300_000): Promise<string> {
  const { stdout } = await run(cmd, args, { env: { ...process.env, ...env }, maxBuffer: 64 << 20, timeout: timeoutMs });
  return stdout;
}
const dexec = (i: number, argv: string[], timeoutMs = 60_000) => sh('docker', ['exec', ctr(i), ...argv], {}, timeoutMs);

class Compose {
  constructor(
    readonly image: string,
    readonly mode: 'shoal' | 'docker-only',
  ) {}
  cmd(args: string[]): Promise<string> {
    const env = { SHOAL_E2E_IMAGE: this.image, SHOAL_E2E_MODE: this.mode };
    return sh('docker-compose', ['-f', COMPOSE, '-p', PROJECT, ...args], env);
  }
  async up(): Promise<void> {
    await this.cmd(['down', '-v', '-t', '1']).catch(() => undefined);
    await this.cmd(['up', '-d', '--force-recreate']);
  }
  down(): Promise<string> {
    return this.cmd(['down', '-v', '-t', '1']);
  }
}

/** Count of tasks per node index, and the total running on live nodes. */
type Placement = { perNode: Map<number, number>; total: number };

interface Target {
  name: string;
  setup(): Promise<void>;
  placement(except: number): Promise<Placement>;
  /** Brings a killed node back into the cluster. */
  restore(i: number): Promise<void>;
}

function shoalTarget(): Target {
  const tokens = new Map<number, string>();
  const ids = new Map<string, number>();
  const api = async (i: number, path: string, init: RequestInit = {}) => {
    if (!tokens.has(i)) tokens.set(i, (await dexec(i, ['cat', '/var/lib/shoal/api.token'])).trim());
    const res = await fetch(`http://127.0.0.1:${17071 + i}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${tokens.get(i)}`, 'content-type': 'application/json' },
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    return res.json() as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  return {
    name: 'shoal',
    async setup() {
      await waitFor('5 ready nodes', async () => (await api(0, '/v1/nodes')).filter((n: { status: string }) => n.status === 'ready').length === SIZE, { timeoutMs: 180_000, everyMs: 1000 });
      for (const n of await api(0, '/v1/nodes')) ids.set(n.id, Number(n.name.slice(4)) - 1);
      await api(0, '/v1/services', { method: 'POST', body: JSON.stringify({ name: 'bench', image: IMAGE, replicas: REPLICAS, args: ['sleep', '1000000'] }) });
      await waitFor('6 running', async () => (await this.placement(-1)).total === REPLICAS, { timeoutMs: 120_000, everyMs: 200 });
    },
    async placement(except) {
      const via = except === 0 ? 1 : 0;
      const tasks = await api(via, '/v1/tasks?service=bench');
      const perNode = new Map<number, number>();
      let total = 0;
      for (const t of tasks) {
        if (t.desiredState !== 'running' || t.status.state !== 'running') continue;
        const i = ids.get(t.nodeId) ?? -1;
        if (i === except) continue;
        perNode.set(i, (perNode.get(i) ?? 0) + 1);
        total++;
      }
      return { perNode, total };
    },
    async restore(i) {
      await sh('docker', ['start', ctr(i)]);
      await waitFor(`node${i + 1} ready again`, async () => {
        const nodes = await api(i === 0 ? 1 : 0, '/v1/nodes');
        return nodes.filter((n: { status: string }) => n.status === 'ready').length === SIZE;
      }, { timeoutMs: 120_000, everyMs: 500 });
    },
  };
}

function swarmTarget(): Target {
  const MANAGERS = [0, 1, 2];
  let managerToken = '';
  let workerToken = '';
  const ip = (i: number) => `172.28.5.${11 + i}`;
  const manager = (except: number) => MANAGERS.find((m) => m !== except)!;
  const join = async (i: number) => {
    await dexec(i, ['docker', 'swarm', 'join', '--token', MANAGERS.includes(i) ? managerToken : workerToken, '--advertise-addr', ip(i), `${ip(0 === i ? 1 : 0)}:2377`]);
  };
  return {
    name: 'swarm',
    async setup() {
      for (let i = 0; i < SIZE; i++) await waitFor(`engine on node${i + 1}`, () => dexec(i, ['docker', 'image', 'inspect', IMAGE]).then(() => true), { timeoutMs: 120_000, everyMs: 500 });
      await dexec(0, ['docker', 'swarm', 'init', '--advertise-addr', ip(0)]);
      managerToken = (await dexec(0, ['docker', 'swarm', 'join-token', '-q', 'manager'])).trim();
      workerToken = (await dexec(0, ['docker', 'swarm', 'join-token', '-q', 'worker'])).trim();
      for (let i = 1; i < SIZE; i++) await join(i);
      await dexec(0, ['docker', 'service', 'create', '-d', '--name', 'bench', '--replicas', String(REPLICAS), '--no-resolve-image', IMAGE, 'sleep', '1000000']);
      await waitFor('6 running', async () => (await this.placement(-1)).total === REPLICAS, { timeoutMs: 120_000, everyMs: 200 });
    },
    async placement(except) {
      const out = await dexec(manager(except), ['docker', 'service', 'ps', 'bench', '--filter', 'desired-state=running', '--format', '{{.Node}} {{.CurrentState}}'], 10_000);
      const perNode = new Map<number, number>();
      let total = 0;
      for (const line of out.split('\n')) {
        const [node, state] = line.split(' ');
        if (!node || state !== 'Running') continue;
        const i = Number(node.slice(4)) - 1;
        if (i === except) continue;
        perNode.set(i, (perNode.get(i) ?? 0) + 1);
        total++;
      }
      return { perNode, total };
    },
    async restore(i) {
      // The machine comes back with an empty engine: drop its old identity, join anew.
      const m = manager(i);
      const stale = (await dexec(m, ['docker', 'node', 'ls', '--filter', `name=node${i + 1}`, '--format', '{{.ID}} {{.Status}}'])).trim().split('\n').filter(Boolean);
      for (const line of stale) {
        const id = line.split(' ')[0];
        if (MANAGERS.includes(i)) await dexec(m, ['docker', 'node', 'demote', id]).catch(() => undefined);
        await waitFor(`swarm to forget node${i + 1}`, () => dexec(m, ['docker', 'node', 'rm', '--force', id]).then(() => true), { timeoutMs: 60_000, everyMs: 1000 });
      }
      await sh('docker', ['start', ctr(i)]);
      await waitFor(`engine on node${i + 1}`, () => dexec(i, ['docker', 'image', 'inspect', IMAGE]).then(() => true), { timeoutMs: 120_000, everyMs: 500 });
      await waitFor(`node${i + 1} to re-join`, () => join(i).then(() => true), { timeoutMs: 60_000, everyMs: 1000 });
      await waitFor('5 ready swarm nodes', async () => {
        const out = await dexec(m, ['docker', 'node', 'ls', '--format', '{{.Status}}']);
        return out.split('\n').filter((s) => s === 'Ready').length === SIZE;
      }, { timeoutMs: 60_000, everyMs: 1000 });
    },
  };
}

async function measure(t: Target, runs: number): Promise<number[]> {
  await t.setup();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const { perNode } = await t.placement(-1);
    const victim = [...perNode].sort((a, b) => b[1] - a[1])[0][0];
    const t0 = Date.now();
    await sh('docker', ['kill', ctr(victim)]);
    await waitFor(`${t.name}: 6 replicas without node${victim + 1}`, async () => (await t.placement(victim)).total === REPLICAS, { timeoutMs: 180_000, everyMs: 100 });
    const ms = Date.now() - t0;
    times.push(ms);
    console.log(`${t.name} run ${r + 1}/${runs}: killed node${victim + 1} (${perNode.get(victim)} tasks), 6 running again after ${ms} ms`);
    await t.restore(victim);
  }
  return times;
}

export async function main(args: string[]): Promise<void> {
  const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 10;
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const image = (await sh(join(REPO, 'scripts', 'node-image.sh'), [], {}, 900_000)).trim().split('\n').pop()!;
  const result: Record<string, { p50Ms: number; p99Ms: number; runs: number; samplesMs: number[] }> = {};
  for (const [name, mode, target] of [
    ['shoal', 'shoal', shoalTarget],
    ['swarm', 'docker-only', swarmTarget],
  ] as const) {
    if (only && only !== name) continue;
    const compose = new Compose(image, mode);
    try {
      await compose.up();
      const times = await measure(target(), runs);
      result[name] = { p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), runs, samplesMs: times };
    } finally {
      await compose.down().catch(() => undefined);
    }
  }
  const ratioP50 = result.shoal && result.swarm ? round(result.shoal.p50Ms / result.swarm.p50Ms, 3) : null;
  printTable(Object.entries(result).map(([system, r]) => ({ system, runs: r.runs, p50Ms: r.p50Ms, p99Ms: r.p99Ms, minMs: Math.min(...r.samplesMs), maxMs: Math.max(...r.samplesMs) })));
  console.log(`shoal/swarm p50 ratio: ${ratioP50} (goal <= 0.2)`);
  writeResult('vs-swarm', { ...result, ratioP50, replicas: REPLICAS, nodes: SIZE, note: 'docker kill of the node with the most tasks; time until 6 replicas run on the survivors' });
}
