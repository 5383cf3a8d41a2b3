import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceSpec } from '@shoal/types';
import type { ClusterView } from '@shoal/state';
import { UsageLedger } from '@shoal/scheduler';
import { reconcile, ReconcileTracker, type ReconcileResult, type ReconcileScope } from '../src/index.js';
import { node, TestCluster } from './harness.js';

/** A leader that reconciles only what its tracker saw change, and checks its usage ledger against a recount each pass. */
class ScopedCluster extends TestCluster {
  readonly tracker = new ReconcileTracker();
  scopes: (ReconcileScope | undefined)[] = [];
  view: ClusterView = this.state;
  maxCreates?: number;

  constructor(nodes: number) {
    super(nodes);
    this.state.onChange((cmd, _i, result) => this.tracker.observe(cmd, result, this.state));
  }

  override step(): ReconcileResult {
    const scope = this.tracker.take(this.state);
    this.scopes.push(scope);
    if (scope?.usage) {
      const recount = new UsageLedger();
      recount.rebuild(this.state.tasks());
      for (const n of this.state.nodes()) assert.deepEqual(scope.usage.usage(n.id) ?? null, recount.usage(n.id) ?? null, `usage of ${n.id}`);
    }
    let i = 0;
    const res = reconcile(this.view, this.now, () => ((++i * 2654435761 + this.scopes.length * 40503) % 4294967296) / 4294967296, { ...(scope ? { scope } : {}), ...(this.maxCreates ? { maxCreates: this.maxCreates } : {}) });
    for (const c of res.commands) this.do(c);
    this.tracker.defer(res.deferred);
    return res;
  }
}

const web: ServiceSpec = { name: 'web', image: 'nginx', replicas: 6, resources: { reservations: { cpus: 0.5, memoryBytes: 64 * 1024 * 1024 } }, ports: [{ published: 8080, target: 80, mode: 'host' }] };

/** Per service: running tasks, and the nodes they run on must be ready and active. */
function outcome(c: TestCluster): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of c.state.services()) {
    const running = c.running(s.spec.name).filter((t) => t.desiredState === 'running');
    for (const t of running) {
      const n = c.state.node(t.nodeId!)!;
      assert.ok(n.status === 'ready' && n.availability === 'active', `${t.id} runs on ${n.id} (${n.status}, ${n.availability})`);
    }
    out[s.spec.name] = running.length;
  }
  return out;
}

test('a leader reconciling only what changed converges like one that looks at everything', () => {
  const full = new TestCluster(8);
  const scoped = new ScopedCluster(8);
  const both = (f: (c: TestCluster) => void) => {
    for (const c of [full, scoped]) {
      f(c);
      c.settle();
    }
    assert.deepEqual(outcome(scoped), outcome(full));
  };
  both((c) => c.create('s-web', web));
  both((c) => c.create('s-all', { name: 'all', image: 'agent', mode: 'global' }));
  both((c) => c.do({ type: 'service.scale', at: c.now, serviceId: 'web', replicas: 8 }));
  both((c) => c.do({ type: 'node.down', at: c.now, nodeId: 'n2' }));
  both((c) => c.do({ type: 'node.availability', at: c.now, nodeId: 'n3', availability: 'drain' }));
  both((c) => c.do({ type: 'node.register', at: c.now, node: node('n9') }));
  both((c) => c.do({ type: 'service.update', at: c.now, serviceId: 'web', spec: { ...web, image: 'nginx:2', replicas: 8 } }));
  both((c) => c.do({ type: 'service.scale', at: c.now, serviceId: 'web', replicas: 2 }));
  both((c) => c.do({ type: 'node.up', at: c.now, nodeId: 'n2' }));
  both((c) => c.do({ type: 'service.remove', at: c.now, serviceId: 'web' }));
  assert.deepEqual(outcome(scoped), { all: 8 });
  assert.equal(scoped.state.tasksByService('s-web').length, 0, 'the removed service leaves no task');
  assert.ok(scoped.scopes.filter((s) => s !== undefined).length > scoped.scopes.length / 2, 'most passes were scoped');
});

test('a host port held on a node is not handed out twice by a scoped pass', () => {
  const c = new ScopedCluster(3);
  c.create('s-web', { ...web, replicas: 3 });
  c.settle();
  c.create('s-api', { name: 'api', image: 'api', replicas: 1, ports: [{ published: 8080, target: 80, mode: 'host' }] });
  c.settle();
  const api = c.state.tasksByService('s-api').find((t) => t.desiredState === 'running')!;
  assert.equal(api.status.state, 'pending', 'every node already binds 8080');
  assert.match(api.pendingReason ?? '', /8080/);
});

test('a status report on a converged cluster reads its own service only, not every task', () => {
  const c = new ScopedCluster(4);
  c.create('s-web', { name: 'web', image: 'nginx', replicas: 20 });
  c.create('s-db', { name: 'db', image: 'pg', replicas: 5 });
  c.settle();
  let scans = 0;
  c.view = new Proxy(c.state, {
    get(target, prop, receiver) {
      if (prop === 'tasks') scans++;
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const db = c.running('db')[0];
  c.report(db.id, { state: 'failed', exitCode: 1, error: 'boom' });
  c.step();
  const scope = c.scopes.at(-1);
  assert.ok(scope, 'the pass was scoped');
  assert.deepEqual([...scope.services], ['s-db']);
  assert.equal(scans, 0, 'no full task scan');
});

test('a capped pass lays out whole services up to the cap and leaves the rest to the next passes', () => {
  const capped = new ScopedCluster(6);
  const full = new TestCluster(6);
  capped.maxCreates = 50;
  const creates: number[] = [];
  for (const c of [capped, full]) for (let k = 0; k < 5; k++) c.create(`s-${k}`, { name: `svc${k}`, image: 'web', replicas: 30 });
  for (let i = 0; i < 30; i++) {
    const res = capped.step();
    creates.push(res.plan.created.length);
    capped.agents();
    if (res.commands.length === 0 && res.deferred.length === 0) break;
  }
  full.settle();
  assert.deepEqual(creates.filter((n) => n > 0), [60, 60, 30], 'two services per pass: the second one crosses the cap and is not split');
  assert.deepEqual(outcome(capped), outcome(full));
  assert.deepEqual(outcome(capped), { svc0: 30, svc1: 30, svc2: 30, svc3: 30, svc4: 30 });
});
