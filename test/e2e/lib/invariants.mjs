// What must hold whatever the chaos: the observers that collect evidence
// while faults run (leader claims per term, acknowledged writes) and the
// checks run once the cluster is healed.
import { SIZE, sleep, waitFor } from './compose-cluster.mjs';

/** Scrapes every node's /metrics and records which node claimed leadership in which term. */
export class LeaderWatch {
  constructor(cluster, everyMs = 400) {
    this.cluster = cluster;
    this.everyMs = everyMs;
    /** term -> Set of node indices that reported shoal_raft_is_leader 1 in that term */
    this.claims = new Map();
    this.samples = 0;
    this.running = false;
  }

  start() {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await Promise.all([...Array(SIZE).keys()].map((i) => this.scrape(i)));
        await sleep(this.everyMs);
      }
    })();
  }

  async stop() {
    this.running = false;
    await this.loop;
  }

  async scrape(i) {
    const c = this.cluster;
    if (c.down.has(i)) return;
    try {
      // A node cut from the network is read from inside its container: an
      // isolated old leader is exactly the claim we must not miss.
      const body = c.isolated.has(i) ? await c.localGet(i, '/metrics') : (await c.client(i, 1500).metrics()).body;
      const term = metric(body, 'shoal_raft_term');
      const leader = metric(body, 'shoal_raft_is_leader');
      if (term === undefined || leader === undefined) return;
      this.samples++;
      if (leader === 1) {
        if (!this.claims.has(term)) this.claims.set(term, new Set());
        this.claims.get(term).add(i);
      }
    } catch {
      // paused, restarting or unreachable: no sample
    }
  }

  /** Terms in which more than one node claimed to lead. */
  violations() {
    return [...this.claims].filter(([, s]) => s.size > 1).map(([term, s]) => ({ term, leaders: [...s].map((i) => `node${i + 1}`) }));
  }
}

function metric(body, name) {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'm').exec(body);
  return m ? Number(m[1]) : undefined;
}

/**
 * Writes through random reachable nodes while chaos runs and logs every
 * write the API acknowledged: `ack-<n>` services (replicas 0, so they cost no
 * containers) and label bumps of a `counter` service with the version returned.
 * A write that timed out or failed is indeterminate and not checked.
 */
export class AckedWrites {
  constructor(cluster) {
    this.cluster = cluster;
    this.created = [];
    this.counter = { seq: 0, version: 0 };
    this.seq = 0;
    this.failures = 0;
    this.running = false;
  }

  static counterSpec(seq) {
    return { name: 'counter', image: 'shoal-test/busybox:1', replicas: 0, labels: { seq: String(seq) } };
  }

  start(everyMs = 500) {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.writeOnce().catch(() => this.failures++);
        await sleep(everyMs);
      }
    })();
  }

  async stop() {
    this.running = false;
    await this.loop;
  }

  async writeOnce() {
    const n = ++this.seq;
    const client = this.cluster.anyClient(8000);
    if (n % 2 === 0) {
      const svc = await client.updateService('counter', AckedWrites.counterSpec(n));
      if (n > this.counter.seq) this.counter = { seq: n, version: svc.version };
    } else {
      await client.createService({ name: `ack-${n}`, image: 'shoal-test/busybox:1', replicas: 0 });
      this.created.push(`ack-${n}`);
    }
  }

  /** Acked writes missing from the cluster state as seen by `client`. */
  async lost(client) {
    const services = await client.listServices();
    const names = new Set(services.map((s) => s.spec.name));
    const missing = this.created.filter((n) => !names.has(n));
    const counter = services.find((s) => s.spec.name === 'counter');
    const seq = Number(counter?.spec.labels?.seq ?? 0);
    if (!counter || seq < this.counter.seq || counter.version < this.counter.version) {
      missing.push(`counter seq ${this.counter.seq} v${this.counter.version} (found seq ${seq} v${counter?.version})`);
    }
    return missing;
  }
}

export const runningTasks = (tasks) => tasks.filter((t) => t.desiredState === 'running' && t.status.state === 'running');

/** The service has exactly `n` tasks desired running, all of them running (optionally none on `exclude` node ids). */
export async function waitReplicas(cluster, service, n, { timeoutMs = 60_000, exclude = [] } = {}) {
  return waitFor(`${service} to have exactly ${n} running tasks`, timeoutMs, async () => {
    const tasks = await cluster.anyClient().listTasks({ service });
    const live = tasks.filter((t) => t.desiredState === 'running');
    const run = runningTasks(tasks);
    if (live.length !== n || run.length !== n) return false;
    if (run.some((t) => exclude.includes(t.nodeId))) return false;
    return run;
  }, 500);
}

/**
 * Every engine runs exactly the containers of the tasks the cluster wants
 * running there: no stale container left on a node that was replaced.
 */
export async function waitContainersMatch(cluster, service, { timeoutMs = 60_000 } = {}) {
  let diff = '';
  try {
    return await waitFor(`${service} containers to match the desired tasks on every node`, timeoutMs, async () => {
      const tasks = runningTasks(await cluster.anyClient().listTasks({ service }));
      const problems = [];
      for (let i = 0; i < SIZE; i++) {
        const want = new Set(tasks.filter((t) => cluster.indexOf(t.nodeId) === i).map((t) => t.id));
        const have = await cluster.containerTasks(i, service);
        const extra = have.filter((id) => !want.has(id));
        const missing = [...want].filter((id) => !have.includes(id));
        if (extra.length || missing.length || have.length !== new Set(have).size) problems.push(`node${i + 1}: extra [${extra}] missing [${missing}] have ${have.length}`);
      }
      diff = problems.join('; ');
      return problems.length === 0;
    }, 1000);
  } catch (err) {
    throw new Error(`${err.message}: ${diff}`);
  }
}

/** node i answers HTTP on its published port 8080 (read from inside the node). */
export async function webAnswers(cluster, i) {
  const body = await cluster.exec(i, ['timeout', '3', 'busybox', 'wget', '-q', '-O-', 'http://127.0.0.1:8080/'], 10_000);
  return body.includes('shoal ok');
}
