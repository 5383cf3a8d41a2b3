// A 5-node shoal cluster of Docker-in-Docker "machines" started from
// docker-compose.test.yml, with the chaos the e2e tests and the soak apply:
// kill/start, pause/unpause, network disconnect/connect of node containers.
// Every node runs its own Docker engine; the tests read task containers from
// it with `docker exec nodeX docker ps`.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ShoalClient } from '@shoal/api';

const run = promisify(execFile);
export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const COMPOSE_FILE = join(REPO, 'docker-compose.test.yml');
export const PROJECT = process.env.SHOAL_E2E_PROJECT ?? 'shoale2e';
export const NETWORK = `${PROJECT}_shoal`;
export const SIZE = 5;
export const WORKLOAD_IMAGE = 'shoal-test/busybox:1';
const CACHE = process.env.SHOAL_E2E_CACHE ?? '/var/cache/shoal-e2e';

export const nodeName = (i) => `node${i + 1}`;
export const containerName = (i) => `shoal-e2e-node${i + 1}`;
export const nodeIp = (i) => `172.28.5.${11 + i}`;
export const apiPort = (i) => 17071 + i;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a truthy value; throws with the last error after `timeoutMs`. */
export async function waitFor(what, timeoutMs, probe, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v;
      last = undefined;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
}

/** Why the e2e suite cannot run here, or null when it can. */
export function missingPrerequisite() {
  const has = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore', timeout: 20_000 }).status === 0;
  if (!has('docker', ['info'])) return 'no Docker engine answers `docker info` (start dockerd, or run scripts/e2e-prereqs.sh)';
  if (!has('docker-compose', ['version'])) return 'docker-compose is not installed (apt-get install -y docker-compose, or scripts/e2e-prereqs.sh)';
  if (!has('busybox', ['true'])) return 'busybox-static is not installed (scripts/e2e-prereqs.sh)';
  if (!existsSync(join(CACHE, 'rootfs-bookworm-docker-net2.tar')) && !has('debootstrap', ['--version'])) return 'debootstrap is not installed (scripts/e2e-prereqs.sh)';
  if (!existsSync(join(REPO, 'packages', 'cli', 'dist', 'src', 'main.js'))) return 'shoal is not built (npm run build)';
  return null;
}

export async function sh(cmd, args, opts = {}) {
  const { stdout } = await run(cmd, args, { maxBuffer: 64 << 20, timeout: opts.timeoutMs ?? 120_000, env: { ...process.env, ...opts.env } });
  return stdout;
}

export class ComposeCluster {
  constructor({ mode = 'shoal', log = () => {} } = {}) {
    this.mode = mode;
    this.log = log;
    this.image = '';
    this.tokens = new Map();
    /** Nodes whose container is stopped or paused (no API to talk to). */
    this.down = new Set();
    /** Nodes cut from the cluster network. */
    this.isolated = new Set();
  }

  get env() {
    return { SHOAL_E2E_IMAGE: this.image, SHOAL_E2E_MODE: this.mode, SHOAL_E2E_WORKLOAD: join(CACHE, 'workload.tar'), SHOAL_E2E_APPS: join(CACHE, 'apps.tar') };
  }

  compose(args, timeoutMs = 300_000) {
    return sh('docker-compose', ['-f', COMPOSE_FILE, '-p', PROJECT, ...args], { env: this.env, timeoutMs });
  }

  /** Builds (or reuses) the node image; returns its build time in ms. */
  buildImage() {
    const t0 = Date.now();
    const out = execFileSync(join(REPO, 'scripts', 'node-image.sh'), { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 900_000 });
    this.image = out.trim().split('\n').pop();
    return Date.now() - t0;
  }

  async up() {
    await this.down_().catch(() => undefined);
    await this.compose(['up', '-d', '--force-recreate']);
    this.down.clear();
    this.isolated.clear();
    if (this.mode !== 'shoal') return;
    await waitFor('every node API and a leader', 180_000, async () => {
      for (let i = 0; i < SIZE; i++) {
        const st = await this.client(i).clusterStatus();
        if (!st.leader) return false;
      }
      return true;
    }, 1000);
    await waitFor('5 ready nodes and 5 healthy voters', 120_000, async () => {
      const st = await this.client(0).clusterStatus();
      const nodes = await this.client(0).listNodes();
      return nodes.filter((n) => n.status === 'ready').length === SIZE && st.voters.filter((v) => v.healthy).length === SIZE;
    }, 1000);
    this.ids = new Map((await this.client(0).listNodes()).map((n) => [n.id, Number(n.name.slice(4)) - 1]));
  }

  async down_() {
    await this.compose(['down', '-v', '--remove-orphans', '-t', '1']);
  }

  async token(i) {
    if (!this.tokens.has(i)) this.tokens.set(i, (await this.exec(i, ['cat', '/var/lib/shoal/api.token'])).trim());
    return this.tokens.get(i);
  }

  /** A typed client on node i (through its published API port); requests give up after `timeoutMs`. */
  client(i, timeoutMs = 10_000) {
    const self = this;
    return new ShoalClient({
      baseUrl: `http://127.0.0.1:${apiPort(i)}`,
      fetch: async (url, init) => {
        const token = await self.token(i);
        return fetch(url, { ...init, headers: { ...init.headers, authorization: `Bearer ${token}` }, signal: init.signal ?? AbortSignal.timeout(timeoutMs) });
      },
    });
  }

  /** Indices of nodes that are up and connected. */
  reachable() {
    return [...Array(SIZE).keys()].filter((i) => !this.down.has(i) && !this.isolated.has(i));
  }

  anyClient(timeoutMs) {
    const up = this.reachable();
    return this.client(up[Math.floor(Math.random() * up.length)], timeoutMs);
  }

  indexOf(nodeId) {
    return this.ids.get(nodeId);
  }

  exec(i, argv, timeoutMs = 30_000) {
    return sh('docker', ['exec', containerName(i), ...argv], { timeoutMs });
  }

  /** GET on node i's API from inside the node (works while it is cut from the network). */
  async localGet(i, path) {
    return this.exec(i, ['timeout', '3', 'busybox', 'wget', '-q', '-O-', '--header', `Authorization: Bearer ${await this.token(i)}`, `http://127.0.0.1:7070${path}`], 5000);
  }

  /** POST on node i's API from inside the node (works while it is cut off): { status, body }. */
  async localPost(i, path, body) {
    const script = `fetch(process.argv[1],{method:'POST',headers:{authorization:'Bearer '+process.argv[2],'content-type':'application/json'},body:process.argv[3]}).then(async(r)=>process.stdout.write(JSON.stringify({status:r.status,body:await r.text()})))`;
    const out = await this.exec(i, ['timeout', '30', 'node', '-e', script, `http://127.0.0.1:7070${path}`, await this.token(i), JSON.stringify(body)], 40_000);
    return JSON.parse(out);
  }

  /** Task ids of the containers node i's engine runs for `service`. */
  async containerTasks(i, service) {
    const out = await this.exec(i, ['docker', 'ps', '--filter', `label=shoal.service=${service}`, '--format', '{{.Label "shoal.task"}}']);
    return out.split('\n').filter(Boolean);
  }

  /** Stops node i's agent and keeps it stopped (the node's supervisor waits while /run/shoal-agent.hold exists). */
  async holdAgent(i) {
    await this.exec(i, ['sh', '-c', 'touch /run/shoal-agent.hold; p=$(cat /run/shoal-agent.pid); kill -TERM "$p"; for _ in $(seq 1 150); do kill -0 "$p" 2>/dev/null || exit 0; sleep 0.2; done; kill -KILL "$p"'], 60_000);
  }
  async releaseAgent(i) {
    await this.exec(i, ['rm', '-f', '/run/shoal-agent.hold']);
  }

  async kill(i) {
    await sh('docker', ['kill', containerName(i)]);
    this.down.add(i);
  }
  async start(i) {
    await sh('docker', ['start', containerName(i)]);
    this.down.delete(i);
  }
  async pause(i) {
    await sh('docker', ['pause', containerName(i)]);
    this.down.add(i);
  }
  async unpause(i) {
    await sh('docker', ['unpause', containerName(i)]);
    this.down.delete(i);
  }
  async disconnect(i) {
    await sh('docker', ['network', 'disconnect', '-f', NETWORK, containerName(i)]);
    this.isolated.add(i);
  }
  async connect(i) {
    await sh('docker', ['network', 'connect', '--ip', nodeIp(i), NETWORK, containerName(i)]);
    this.isolated.delete(i);
  }

  /** Brings every node back: started, unpaused, connected. */
  async healAll() {
    for (let i = 0; i < SIZE; i++) {
      const state = (await sh('docker', ['inspect', '-f', '{{.State.Status}}', containerName(i)])).trim();
      if (state === 'paused') await this.unpause(i);
      else if (state !== 'running') await this.start(i);
      this.down.delete(i);
      const nets = await sh('docker', ['inspect', '-f', '{{json .NetworkSettings.Networks}}', containerName(i)]);
      if (!JSON.parse(nets)[NETWORK]) await this.connect(i);
      this.isolated.delete(i);
    }
  }

  async logs(i, tail = 60) {
    const r = spawnSync('docker', ['logs', '--tail', String(tail), containerName(i)], { encoding: 'utf8' });
    return `${r.stdout}${r.stderr}`;
  }
}
