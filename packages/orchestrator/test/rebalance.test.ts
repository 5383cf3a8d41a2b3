import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestCluster, node } from './harness.js';
import { AUTO_MOVES_PER_MINUTE, planRebalance } from '../src/index.js';

const spread = (c: TestCluster, service: string) => {
  const out: Record<string, number> = {};
  for (const t of c.running(service).filter((x) => x.desiredState === 'running')) out[t.nodeId!] = (out[t.nodeId!] ?? 0) + 1;
  return out;
};

/** 6 replicas on n1, n2 (n3 down while they were placed), then n3 is back: empty. */
function unevenCluster(extra: Record<string, unknown> = {}): TestCluster {
  const c = new TestCluster(3);
  c.do({ type: 'node.down', at: c.now, nodeId: 'n3' });
  c.create('s', { name: 'web', image: 'x', replicas: 6, update: { parallelism: 2, delayMs: 0 }, ...extra });
  c.settle();
  c.do({ type: 'node.up', at: c.now, nodeId: 'n3' });
  c.settle();
  assert.deepEqual(spread(c, 'web'), { n1: 3, n2: 3 }, 'a returning node stays empty without a rebalance');
  return c;
}

test('the plan evens a service out over its eligible nodes and changes nothing', () => {
  const c = unevenCluster();
  const plan = planRebalance(c.state, c.state.service('web')!);
  assert.equal(plan.moves.length, 2);
  assert.deepEqual(plan.before, { n1: 3, n2: 3, n3: 0 });
  assert.deepEqual(plan.after, { n1: 2, n2: 2, n3: 2 });
  assert.ok(plan.moves.every((m) => m.to === 'n3'));
  assert.deepEqual(spread(c, 'web'), { n1: 3, n2: 3 });
});

test('a requested rebalance starts the new task first, stops the old one once it is up, and clears the request', () => {
  const c = unevenCluster();
  c.do({ type: 'service.rebalance', at: c.now, serviceId: 's', requested: true });
  const res = c.step();
  assert.equal(res.plan.created.length, 2, 'one batch of the update parallelism (2)');
  assert.equal(res.plan.stopped.length, 0, 'nothing stops before its replacement is up');
  const movers = c.live('web').filter((t) => t.replaces !== undefined);
  assert.equal(movers.length, 2);
  assert.match(res.plan.created[0]!.reason, /rebalance: moves web\.\d from n[12] to n3/);
  const reasons: string[] = [];
  for (let i = 0; i < 30; i++) {
    c.agents();
    c.now += 10;
    reasons.push(...c.step().plan.stopped.map((x) => x.reason));
  }
  assert.deepEqual(spread(c, 'web'), { n1: 2, n2: 2, n3: 2 });
  assert.equal(c.live('web').length, 6);
  assert.equal(reasons.length, 2);
  assert.ok(reasons.every((r) => /moved to node n3 \(replaced by task/.test(r)), reasons.join('; '));
  assert.equal(c.state.service('web')!.rebalanceRequestedAt, undefined, 'the request is cleared once even');
  assert.equal(c.state.tasksByService('s').filter((t) => t.desiredState !== 'running').length, 2);
});

test('rebalance: auto moves work to a returning node within the cluster rate limit, and never moves a task twice', () => {
  const c = new TestCluster(['n1', 'n2', 'n3', 'n4']);
  for (const id of ['n3', 'n4']) c.do({ type: 'node.down', at: c.now, nodeId: id });
  c.create('s', { name: 'api', image: 'x', replicas: 24, rebalance: 'auto', update: { parallelism: 0, delayMs: 0 } });
  c.settle();
  for (const id of ['n3', 'n4']) c.do({ type: 'node.up', at: c.now, nodeId: id });
  c.settle();
  const moved = () => c.state.tasksByService('s').filter((t) => t.replaces !== undefined);
  assert.equal(moved().length, AUTO_MOVES_PER_MINUTE, 'at most the per-minute cap in one minute');
  c.now += 61_000;
  c.settle();
  assert.deepEqual(spread(c, 'api'), { n1: 6, n2: 6, n3: 6, n4: 6 });
  assert.equal(moved().length, 12);
  const replaced = moved().map((t) => t.replaces);
  assert.equal(new Set(replaced).size, replaced.length);
  assert.ok(!moved().some((t) => replaced.includes(t.id)), 'no task is moved twice');
});

test('a move to a node the task does not fit on is not planned; a global service and one mid-update are skipped', () => {
  const c = unevenCluster({ resources: { reservations: { memoryBytes: 1 << 30 } } });
  c.do({ type: 'node.update', at: c.now, nodeId: 'n3', resources: { cpuMillis: 100, memoryBytes: 1 << 20 } });
  assert.deepEqual(planRebalance(c.state, c.state.service('web')!).moves, []);
  c.create('g', { name: 'agent', image: 'x', mode: 'global' });
  c.settle();
  assert.match(planRebalance(c.state, c.state.service('agent')!).skipped ?? '', /global/);
});

test('a node that joins stays empty for a manual service until asked', () => {
  const c = new TestCluster(2);
  c.create('s', { name: 'web', image: 'x', replicas: 4 });
  c.settle();
  c.do({ type: 'node.register', at: c.now, node: node('n3') });
  c.settle();
  assert.equal(spread(c, 'web').n3, undefined);
  c.do({ type: 'service.rebalance', at: c.now, serviceId: 's', requested: true });
  c.settle();
  assert.equal(spread(c, 'web').n3, 1, '4 tasks on 3 nodes: 2/1/1');
});

test('a service whose tasks keep data in named volumes is not rebalanced away from it', () => {
  const c = unevenCluster({ mounts: [{ type: 'volume', source: 'app_data', target: '/data' }] });
  const plan = planRebalance(c.state, c.state.service('web')!);
  assert.deepEqual(plan.moves, []);
  assert.match(plan.skipped ?? '', /node-local volumes \(app_data\)/);
  c.do({ type: 'service.rebalance', at: c.now, serviceId: 's', requested: true });
  for (let i = 0; i < 5; i++) {
    c.agents();
    c.now += 10;
    c.step();
  }
  assert.deepEqual(spread(c, 'web'), { n1: 3, n2: 3 }, 'every replica stays with its data');
});

test('the per-minute cap holds across services: moves started earlier in the same step count', () => {
  const c = new TestCluster(['n1', 'n2', 'n3', 'n4']);
  for (const id of ['n3', 'n4']) c.do({ type: 'node.down', at: c.now, nodeId: id });
  c.create('a', { name: 'api', image: 'x', replicas: 24, rebalance: 'auto', update: { parallelism: 0, delayMs: 0 } });
  c.create('b', { name: 'web', image: 'y', replicas: 24, rebalance: 'auto', update: { parallelism: 0, delayMs: 0 } });
  c.settle();
  for (const id of ['n3', 'n4']) c.do({ type: 'node.up', at: c.now, nodeId: id });
  c.settle();
  const moved = c.state.tasks().filter((t) => t.replaces !== undefined);
  assert.equal(moved.length, AUTO_MOVES_PER_MINUTE, 'two services share one cap, not one each');
});
