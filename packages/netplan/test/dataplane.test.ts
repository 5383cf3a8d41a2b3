import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { ClusterState } from '@shoal/state';
import { lookup, planLinks, renderRuleset } from '../src/index.js';
import { apply, runningTask, service, settle, twoStacks } from './fixtures.js';

/** The two stacks with tasks: app_web on n1 and n2, app_redis on n3, other_* on n1. */
function withTasks(): ClusterState {
  const state = twoStacks();
  const sub = (net: string, node: string) => state.network(net)!.subnets[node]!.replace(/0\/24$/, '');
  runningTask(state, 'tw1', 'app_web', 1, 'n1', { app_default: `${sub('app_default', 'n1')}2` });
  runningTask(state, 'tw2', 'app_web', 2, 'n2', { app_default: `${sub('app_default', 'n2')}2` });
  runningTask(state, 'tr1', 'app_redis', 1, 'n3', { app_default: `${sub('app_default', 'n3')}2` });
  runningTask(state, 'ow1', 'other_web', 1, 'n1', { other_default: `${sub('other_default', 'n1')}2` });
  runningTask(state, 'or1', 'other_redis', 1, 'n1', { other_default: `${sub('other_default', 'n1')}3` });
  return state;
}

const golden = (name: string) => new URL(`../../test/golden/${name}`, import.meta.url);

function assertGolden(name: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden(name), actual);
  assert.equal(actual, readFileSync(golden(name), 'utf8'), `differs from test/golden/${name} (UPDATE_GOLDEN=1 rewrites it after review)`);
}

test('ruleset golden file: VIPs, ingress, masquerade, marks, isolation', () => {
  assertGolden('two-stacks.nft', renderRuleset(withTasks(), 'n1'));
});

test('every node derives the same rules, and the same state gives the same text', () => {
  const state = withTasks();
  const again = ClusterState.restore(state.snapshot());
  assert.equal(renderRuleset(state, 'n1'), renderRuleset(state, 'n3'));
  assert.equal(renderRuleset(state, 'n2'), renderRuleset(again, 'n2'));
});

test('endpoints follow health, intent and node liveness', () => {
  const state = withTasks();
  const web = state.service('app_web')!;
  const count = () => (renderRuleset(state, 'n1').match(/chain ing_tcp_8000_\d/g) ?? []).length;
  assert.equal(count(), 2);
  apply(state, [{ type: 'task.desired', at: 20, changes: [{ taskId: 'tw1', desiredState: 'shutdown' }] }]);
  assert.equal(count(), 1, 'a task told to stop leaves before it is stopped');
  apply(state, [{ type: 'node.down', at: 21, nodeId: 'n2' }]);
  assert.equal(count(), 0, 'tasks of a down node leave');
  assert.ok(renderRuleset(withTasks(), 'n1').includes(`${web.vip} : jump svc_`), 'with endpoints the VIP is in the map');
  assert.ok(!renderRuleset(state, 'n1').includes(`${web.vip} : jump`), 'a VIP with no endpoint is not DNATed (the filter rejects it)');
});

test('a new connection finds its service by one map lookup: the NAT hooks do not grow with the number of services', () => {
  const hookRules = (text: string) => ['prerouting', 'output'].map((c) => new RegExp(`chain ${c} \\{\\n([^}]*)\\}`).exec(text)![1]!.trim().split('\n').length);
  const state = withTasks();
  const before = hookRules(renderRuleset(state, 'n1'));
  for (let i = 0; i < 40; i++) {
    service(state, `extra-${i}`, { name: `extra_${i}`, image: 'web', labels: { 'shoal.stack': 'app' }, networks: [{ name: 'app_default' }], ports: [{ published: 9000 + i, target: 80 }] });
  }
  settle(state);
  for (let i = 0; i < 40; i++) runningTask(state, `xt${i}`, `extra-${i}`, 1, 'n1', { app_default: `10.211.0.${100 + i}` });
  const text = renderRuleset(state, 'n1');
  assert.deepEqual(hookRules(text), before, 'the same rules (a VIP map and a port map) at 4 services and at 44');
  assert.equal((text.match(/ : jump (from_)?svc_/g) ?? []).length, 2 * 44, 'each VIP once in the task map and once in the host map');
  assert.equal((text.match(/tcp \. 90\d\d : jump ing_tcp_90\d\d/g) ?? []).length, 40 * 2, 'each ingress port in the map of both hooks');
});

test('a task with a health check is an endpoint only while healthy', () => {
  const state = twoStacks();
  apply(state, [{ type: 'service.update', at: 5, serviceId: 'app_redis', spec: { ...state.service('app_redis')!.spec, healthcheck: { test: ['CMD', 'true'] } } }]);
  runningTask(state, 'h1', 'app_redis', 1, 'n1', { app_default: '10.211.0.9' }, { health: 'starting' });
  assert.deepEqual(lookup(state, '10.211.0.20', 'tasks.redis'), { found: true, addresses: [] });
  apply(state, [{ type: 'task.status', at: 6, updates: [{ taskId: 'h1', nodeId: 'n1', status: { state: 'running', timestamp: 6, message: '', health: 'healthy', addresses: { app_default: '10.211.0.9' } } }] }]);
  assert.deepEqual(lookup(state, '10.211.0.20', 'tasks.redis'), { found: true, addresses: ['10.211.0.9'] });
  apply(state, [{ type: 'task.status', at: 7, updates: [{ taskId: 'h1', nodeId: 'n1', status: { state: 'running', timestamp: 7, message: '', health: 'unhealthy', addresses: { app_default: '10.211.0.9' } } }] }]);
  assert.deepEqual(lookup(state, '10.211.0.20', 'tasks.redis'), { found: true, addresses: [] });
});

test('DNS: service, stack-qualified name, alias and tasks.<name>, per network', () => {
  const state = withTasks();
  const appNet = state.network('app_default')!;
  const otherNet = state.network('other_default')!;
  const fromApp = appNet.subnets.n2!.replace(/0\/24$/, '77');
  const fromOther = otherNet.subnets.n1!.replace(/0\/24$/, '77');
  const appRedis = state.service('app_redis')!.vip!;
  const otherRedis = state.service('other_redis')!.vip!;
  assert.notEqual(appRedis, otherRedis);
  for (const name of ['redis', 'app_redis', 'cache', 'REDIS.']) assert.deepEqual(lookup(state, fromApp, name), { found: true, addresses: [appRedis] }, name);
  assert.deepEqual(lookup(state, fromOther, 'redis'), { found: true, addresses: [otherRedis] }, 'the other stack sees its own redis');
  assert.deepEqual(lookup(state, fromApp, 'other_redis'), { found: false }, 'nor the other stack\'s full name');
  assert.equal(lookup(state, fromApp, 'tasks.web').found && (lookup(state, fromApp, 'tasks.web') as { addresses: string[] }).addresses.length, 2);
  assert.deepEqual(lookup(state, fromApp, 'example.org'), { found: false });
  assert.deepEqual(lookup(state, '192.168.1.5', 'redis'), { found: false }, 'an address on no network owns no names');
  assert.deepEqual(lookup(state, '127.0.0.1', 'redis', ['other_default']), { found: true, addresses: [otherRedis] }, 'exec tasks name their networks');
});

test('dnsrr services resolve to their tasks, and have no VIP', () => {
  const state = twoStacks();
  apply(state, [{ type: 'service.create', at: 5, serviceId: 'rr', spec: { name: 'rr', image: 'x', endpointMode: 'dnsrr', networks: [{ name: 'app_default' }] } }]);
  runningTask(state, 'rr1', 'rr', 1, 'n1', { app_default: '10.211.0.50' });
  runningTask(state, 'rr2', 'rr', 2, 'n2', { app_default: '10.211.1.50' });
  assert.deepEqual(lookup(state, '10.211.2.3', 'rr'), { found: true, addresses: ['10.211.0.50', '10.211.1.50'] });
  assert.equal(state.service('rr')!.vip, undefined);
});

test('link plan: own overlay address, peers with their underlay and subnets, local bridges', () => {
  const plan = planLinks(twoStacks(), 'n1');
  assert.deepEqual(plan.overlay, { address: '10.211.255.1', cidr: '10.211.255.1/24', mac: '02:5a:0a:d3:ff:01' });
  assert.deepEqual(
    plan.peers.map((p) => [p.nodeId, p.underlay, p.overlay, p.subnets.length]),
    [
      ['n2', '172.28.0.12', '10.211.255.2', 2],
      ['n3', '172.28.0.13', '10.211.255.3', 2],
    ],
  );
  assert.deepEqual(plan.local.map((l) => [l.network, l.dockerName, l.gateway]), [
    ['app_default', 'shoal-app_default', '10.211.0.1'],
    ['other_default', 'shoal-other_default', '10.211.3.1'],
  ]);
  assert.equal(plan.dns, '10.210.255.254');
  assert.equal(plan.vipRange, '10.210.0.0/16');
});
