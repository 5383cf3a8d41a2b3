import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterState } from '@shoal/state';
import { planNetworking } from '../src/index.js';
import { apply, node, service, settle, twoStacks } from './fixtures.js';

test('first reference creates the network with a subnet per node, overlay addresses and a VIP', () => {
  const state = new ClusterState();
  apply(state, [node('n1', '172.28.0.11'), node('n2', '172.28.0.12')]);
  service(state, 's1', { name: 'web', image: 'x' });
  settle(state);
  const net = state.network('default')!;
  assert.deepEqual(net.subnets, { n1: '10.211.0.0/24', n2: '10.211.1.0/24' });
  assert.equal(net.explicit, false);
  assert.deepEqual([...state.overlays()], [['n1', '10.211.255.1'], ['n2', '10.211.255.2']]);
  assert.equal(state.service('web')!.vip, '10.210.0.1');
});

test('the VIP stays across updates and scale, and is freed (and reused) after remove; unreferenced networks go', () => {
  const state = twoStacks();
  const vip = state.service('app_web')!.vip;
  apply(state, [
    { type: 'service.update', at: 5, serviceId: 'app_web', spec: { ...state.service('app_web')!.spec, image: 'web:2' } },
    { type: 'service.scale', at: 6, serviceId: 'app_web', replicas: 5 },
  ]);
  settle(state);
  assert.equal(state.service('app_web')!.vip, vip);
  apply(state, [{ type: 'service.remove', at: 7, serviceId: 'app_web' }, { type: 'service.remove', at: 7, serviceId: 'app_redis' }]);
  settle(state);
  assert.equal(state.network('app_default'), undefined, 'network freed when no service uses it');
  service(state, 'new', { name: 'api', image: 'x', networks: [{ name: 'fresh' }] });
  settle(state);
  assert.equal(state.service('api')!.vip, vip, 'the lowest free VIP, i.e. the freed one, is reused');
  assert.deepEqual(Object.values(state.network('fresh')!.subnets).sort(), ['10.211.0.0/24', '10.211.1.0/24', '10.211.2.0/24'], 'freed subnets are reused');
});

test('a new node gets a subnet in every network; a removed node frees its subnets and overlay address', () => {
  const state = twoStacks();
  apply(state, [node('n4', '172.28.0.14')]);
  settle(state);
  for (const n of state.networks()) assert.ok(n.subnets.n4, `${n.name} has a subnet on n4`);
  assert.equal(state.overlays().get('n4'), '10.211.255.4');
  apply(state, [{ type: 'node.remove', at: 9, nodeId: 'n2' }]);
  settle(state);
  for (const n of state.networks()) assert.equal(n.subnets.n2, undefined);
  assert.equal(state.overlays().has('n2'), false);
});

test('allocations survive a snapshot restore, and the restored state needs no new commands', () => {
  const state = twoStacks();
  const copy = ClusterState.restore(state.snapshot());
  assert.deepEqual(copy.networks(), state.networks());
  assert.deepEqual([...copy.overlays()], [...state.overlays()]);
  assert.deepEqual(copy.services().map((s) => s.vip), state.services().map((s) => s.vip));
  assert.deepEqual(planNetworking(copy, () => 'x', 1).commands, []);
});

test('apply refuses an allocation that is already taken, so racing leaders cannot hand one out twice', () => {
  const state = twoStacks();
  const taken = state.service('app_web')!.vip!;
  const r = state.apply({ type: 'service.vip', at: 1, vips: { other_web: taken } }, state.lastApplied + 1);
  assert.ok(r.ok && r.skipped?.length === 1);
  const subnet = state.network('app_default')!.subnets.n1!;
  const r2 = state.apply({ type: 'network.create', at: 1, networkId: 'dup', name: 'dup', explicit: true, subnets: { n1: subnet } }, state.lastApplied + 1);
  assert.equal(r2.ok, false);
  const r3 = state.apply({ type: 'network.remove', at: 1, networkId: 'app_default' }, state.lastApplied + 1);
  assert.equal(r3.ok, false, 'a network in use is not removed');
});

test('exhausted ranges are reported, not thrown', () => {
  const state = new ClusterState();
  apply(state, [{ type: 'cluster.config', at: 1, config: { network: { vipRange: '10.9.0.0/30', subnetPool: '10.8.0.0/23', subnetPrefix: 24 } } }, node('n1', '172.28.0.11')]);
  service(state, 'a', { name: 'a', image: 'x' });
  service(state, 'b', { name: 'b', image: 'x' });
  service(state, 'c', { name: 'c', image: 'x', networks: [{ name: 'second' }] });
  let n = 0;
  const plan = planNetworking(state, () => `id${++n}`, 1);
  apply(state, plan.commands);
  assert.ok(plan.problems.some((p) => p.includes('no virtual IP left')));
  assert.ok(plan.problems.some((p) => p.includes('no subnet left')));
});
