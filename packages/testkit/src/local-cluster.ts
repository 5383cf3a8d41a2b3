/**
 * Runs a cluster of real `shoal agent` processes on loopback: used by the
 * demo, the real-process tests and the benchmarks. Each node has its own
 * data dir, p2p port and API port under one root directory. The caller says
 * how to talk to a node (`client`), so the kit needs no API package:
 *   new LocalCluster({ size: 3, client: (c) => new ShoalClient(c) })
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait-for.js';
import { freePort } from './free-port.js';

export const SHOAL_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'shoal.js');

/**
 * How long a node may take to start and join. Generous: on a loaded machine
 * (CI, or several suites at once on 2 cores) loading libp2p and the join
 * handshake take tens of seconds; the harness polls, so a fast start costs
 * nothing.
 */
const START_TIMEOUT_MS = 120_000;

/** What the systemd unit in the README sets too: a small young generation keeps an idle agent's RSS down. */
export const AGENT_NODE_OPTIONS = '--max-semi-space-size=2';

export interface LocalNode {
  index: number;
  name: string;
  dataDir: string;
  p2pPort: number;
  apiPort: number;
  logFile: string;
  proc: ChildProcess | null;
  /** Peer id, known once the node answered. */
  id?: string;
}

/** Where a node's admin API answers, and its token. */
export interface NodeConnection {
  baseUrl: string;
  token: string;
}

/** The few calls the harness itself makes; `ShoalClient` has them. */
export interface LocalClusterClient {
  showToken(): Promise<{ token: string }>;
  listNodes(): Promise<{ status: string }[]>;
  clusterStatus(): Promise<{ self: { id: string }; leader: { id: string } | null; voters: { id: string; healthy: boolean }[] }>;
}

export interface LocalClusterOptions<C extends LocalClusterClient> {
  size: number;
  /** Makes a client for a node's API. */
  client: (conn: NodeConnection) => C;
  root?: string;
  driver?: 'exec' | 'docker';
  /** Extra agent flags for every node. */
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
  keepRoot?: boolean;
  /** How long start-up steps may take (default START_TIMEOUT_MS); 50 agents on a busy 2-core host need more. */
  readyTimeoutMs?: number;
  /** Voters the autopilot keeps (--voters with --init). */
  voters?: number;
  /** Start the joiners this many at a time, each wave ready before the next (default: all at once). */
  joinWave?: number;
  /** How often start-up waits poll the agents' APIs (default 50 ms; 250 ms above 10 nodes, where the polls themselves load the host). */
  pollMs?: number;
}

export class LocalCluster<C extends LocalClusterClient = LocalClusterClient> {
  readonly root: string;
  readonly nodes: LocalNode[] = [];
  private joinToken = '';

  private get pollMs(): number {
    return this.opts.pollMs ?? (this.opts.size > 10 ? 250 : 50);
  }

  constructor(private readonly opts: LocalClusterOptions<C>) {
    this.root = opts.root ?? mkdtempSync(join(tmpdir(), 'shoal-'));
    mkdirSync(this.root, { recursive: true });
  }

  async start(): Promise<void> {
    for (let i = 0; i < this.opts.size; i++) {
      const name = `node${i + 1}`;
      this.nodes.push({
        index: i,
        name,
        dataDir: join(this.root, name),
        p2pPort: await freePort(),
        apiPort: await freePort(),
        logFile: join(this.root, `${name}.log`),
        proc: null,
      });
    }
    await this.launch(this.nodes[0], ['--init', ...(this.opts.voters ? ['--voters', String(this.opts.voters)] : [])]);
    await this.waitReady(0);
    this.joinToken = await waitFor('the join token', async () => (await this.client(0).showToken()).token, { timeoutMs: this.opts.readyTimeoutMs ?? START_TIMEOUT_MS, everyMs: this.pollMs });
    const joiners = this.nodes.slice(1);
    const wave = this.opts.joinWave ?? joiners.length;
    for (let k = 0; k < joiners.length; k += wave) {
      const batch = joiners.slice(k, k + wave);
      await Promise.all(batch.map((n) => this.launch(n, this.joinArgs())));
      await Promise.all(batch.map((n) => this.waitReady(n.index)));
    }
    await waitFor('every node registered and ready', async () => {
      const nodes = await this.client(0).listNodes();
      return nodes.filter((n) => n.status === 'ready').length === this.opts.size;
    }, { timeoutMs: this.opts.readyTimeoutMs ?? START_TIMEOUT_MS, everyMs: this.pollMs });
    const voters = Math.min(this.opts.voters ?? 3, this.opts.size);
    await this.waitHealthyVoters(voters % 2 === 0 ? voters - 1 : voters);
  }

  private joinArgs(): string[] {
    // As an operator should: from a 0600 file, never on the command line.
    const file = join(this.root, 'join.token');
    writeFileSync(file, this.joinToken + '\n', { mode: 0o600 });
    return ['--join', `127.0.0.1:${this.nodes[0].p2pPort}`, '--join-token-file', file];
  }

  client(i: number): C {
    return this.opts.client(this.connection(i));
  }

  connection(i: number): NodeConnection {
    const n = this.nodes[i];
    const token = readFileSync(join(n.dataDir, 'api.token'), 'utf8').trim();
    return { baseUrl: `http://127.0.0.1:${n.apiPort}`, token };
  }

  /** A client on any node that is up. */
  anyClient(except: number[] = []): C {
    const up = this.nodes.find((n) => n.proc && !except.includes(n.index));
    if (!up) throw new Error('no node is running');
    return this.client(up.index);
  }

  private async launch(n: LocalNode, extra: string[]): Promise<void> {
    const out = openSync(n.logFile, 'a');
    const args = [
      SHOAL_BIN,
      'agent',
      '--data-dir', n.dataDir,
      '--name', n.name,
      '--p2p-listen', `127.0.0.1:${n.p2pPort}`,
      '--api-listen', `127.0.0.1:${n.apiPort}`,
      '--driver', this.opts.driver ?? 'exec',
      ...(this.opts.extraArgs ?? []),
      ...extra,
    ];
    n.proc = spawn(process.execPath, args, { stdio: ['ignore', out, out], env: { ...process.env, NODE_OPTIONS: AGENT_NODE_OPTIONS, SHOAL_NETWORK: 'off', ...this.opts.env, SHOAL_LOG_PRETTY: '0' } });
    n.proc.on('exit', () => {
      n.proc = null;
    });
  }

  private async waitReady(i: number): Promise<void> {
    const n = this.nodes[i];
    let exited = false;
    try {
      await waitFor(`${n.name} API and cluster membership`, async () => {
        // An agent that exited will not become ready: stop waiting at once.
        if (!n.proc) return (exited = true);
        const st = await this.client(i).clusterStatus();
        n.id = st.self.id;
        return st.leader !== null;
      }, { timeoutMs: this.opts.readyTimeoutMs ?? START_TIMEOUT_MS, everyMs: this.pollMs });
    } catch (err) {
      // The agent's own last words are what explains a node that never became ready (the root is deleted on stop).
      if (n.proc) (err as Error).message += `\n${n.name}'s log (${n.logFile}) ends with:\n${tail(n.logFile, 40)}`;
      throw err;
    }
    if (exited) throw new Error(`${n.name} exited before it was ready; see ${n.logFile}:\n${tail(n.logFile, 40)}`);
  }

  /** Waits until the cluster has `n` healthy voters (the autopilot replaces dead ones after its grace period). */
  async waitHealthyVoters(n: number, except: number[] = [], timeoutMs = 60_000): Promise<void> {
    await waitFor(`${n} healthy voters`, async () => {
      const st = await this.anyClient(except).clusterStatus();
      // A node we stopped may still look healthy until the failure detector notices: never count it.
      const stopped = new Set(except.map((i) => this.nodes[i].id));
      return st.voters.filter((v) => v.healthy && !stopped.has(v.id)).length >= n;
    }, { timeoutMs, everyMs: this.pollMs });
  }

  /** Simulates the loss of a machine: kill -9 the agent and every task process it started. */
  async kill(i: number, signal: NodeJS.Signals = 'SIGKILL', opts: { tasks?: boolean } = {}): Promise<void> {
    const n = this.nodes[i];
    const proc = n.proc;
    if (proc) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill(signal);
      if (signal === 'SIGKILL' || signal === 'SIGTERM') await exited;
    }
    if ((opts.tasks ?? signal === 'SIGKILL') && n.id) {
      killTaskProcesses(n.id, 'SIGKILL');
      if (this.opts.driver === 'docker') removeNodeContainers(n.id);
    }
  }

  /** SIGSTOP / SIGCONT a node and its tasks (a frozen machine). */
  pause(i: number): void {
    this.nodes[i].proc?.kill('SIGSTOP');
  }
  resume(i: number): void {
    this.nodes[i].proc?.kill('SIGCONT');
  }

  /** Start a stopped node again from its data dir. */
  async restart(i: number): Promise<void> {
    const n = this.nodes[i];
    if (n.proc) throw new Error(`${n.name} is still running`);
    await this.launch(n, []);
    await this.waitReady(i);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (n) => {
        const proc = n.proc;
        if (!proc) return;
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGCONT');
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(t);
      }),
    );
    for (const n of this.nodes) {
      if (!n.id) continue;
      killTaskProcesses(n.id, 'SIGKILL');
      if (this.opts.driver === 'docker') removeNodeContainers(n.id);
    }
    if (!this.opts.keepRoot && !process.env.SHOAL_KEEP_ROOT) rmSync(this.root, { recursive: true, force: true });
  }
}

/** A lost machine takes its containers with it: remove the node's containers from the shared engine. */
export function removeNodeContainers(nodeId: string): void {
  const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=shoal.node=${nodeId}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
  if (ids.length > 0) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
}

/** Pids of task processes the exec driver started for a node (they carry SHOAL_NODE_ID, SHOAL_SERVICE). */
export function taskProcesses(nodeId: string, service?: string): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'latin1');
      if (env.includes(`SHOAL_NODE_ID=${nodeId}\0`) && (!service || env.includes(`SHOAL_SERVICE=${service}\0`))) pids.push(Number(pid));
    } catch {
      // process gone or not ours
    }
  }
  return pids;
}

export function killTaskProcesses(nodeId: string, signal: NodeJS.Signals): number {
  let killed = 0;
  for (const pid of taskProcesses(nodeId)) {
    try {
      process.kill(pid, signal);
      killed++;
    } catch {
      // already gone
    }
  }
  return killed;
}

/** The agent's last log lines, without the API's request lines (a harness polling the API fills the log with them). */
function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => !l.includes('"component":"api"')).slice(-lines).join('\n');
  } catch {
    return '';
  }
}
