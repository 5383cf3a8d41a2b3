import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateServiceSpec, applySpecDefaults, isShoalError, ErrorCode, specNetworks, DEFAULT_NETWORK, type SpecIssue } from '../src/index.js';

function issuesOf(raw: unknown): SpecIssue[] {
  try {
    validateServiceSpec(raw);
  } catch (err) {
    assert.ok(isShoalError(err));
    assert.equal(err.code, ErrorCode.InvalidSpec);
    const issues = err.details!.issues as SpecIssue[];
    for (const i of issues) assert.match(err.message, new RegExp(`${i.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .+ — .+`));
    return issues;
  }
  return [];
}

test('a minimal docker spec is valid and gets defaults', () => {
  const spec = validateServiceSpec({ name: 'web', image: 'nginx' });
  assert.equal(spec.driver, 'docker');
  assert.equal(spec.mode, 'replicated');
  assert.equal(spec.replicas, 1);
  assert.deepEqual(spec.update, { parallelism: 1, delayMs: 0, failureAction: 'pause', monitorMs: 5000, maxFailureRatio: 0, order: 'stop-first', canary: 0, autoPromote: false });
  assert.equal(spec.restart.condition, 'any');
  assert.equal(spec.restart.delayMs, 5000);
  assert.equal(spec.restart.maxDelayMs, 300000);
});

test('defaults never override what the user set', () => {
  const spec = applySpecDefaults({ name: 'w', image: 'x', replicas: 0, update: { parallelism: 3, order: 'start-first' } });
  assert.equal(spec.replicas, 0);
  assert.equal(spec.update.parallelism, 3);
  assert.equal(spec.update.order, 'start-first');
  assert.equal(spec.update.monitorMs, 5000);
  assert.deepEqual(applySpecDefaults(spec), spec);
});

test('a global service gets no replicas default', () => {
  const spec = validateServiceSpec({ name: 'agent', image: 'x', mode: 'global' });
  assert.equal(spec.replicas, undefined);
});

const cases: { name: string; raw: unknown; paths: string[] }[] = [
  { name: 'not an object', raw: 42, paths: ['(spec)'] },
  { name: 'missing name', raw: { image: 'x' }, paths: ['name'] },
  { name: 'bad name', raw: { name: 'Bad Name', image: 'x' }, paths: ['name'] },
  { name: 'unknown field', raw: { name: 'a', image: 'x', replica: 3 }, paths: ['replica'] },
  { name: 'image required for docker', raw: { name: 'a' }, paths: ['image'] },
  { name: 'command required for exec', raw: { name: 'a', driver: 'exec' }, paths: ['command'] },
  { name: 'bad driver', raw: { name: 'a', driver: 'rkt', image: 'x' }, paths: ['driver'] },
  { name: 'replicas in global mode', raw: { name: 'a', image: 'x', mode: 'global', replicas: 2 }, paths: ['replicas'] },
  { name: 'bad constraint', raw: { name: 'a', image: 'x', placement: { constraints: ['node.labels.zone == eu', 'zone=eu', 'node.color == red'] } }, paths: ['placement.constraints[1]', 'placement.constraints[2]'] },
  {
    name: 'duplicate published port',
    raw: { name: 'a', image: 'x', ports: [{ published: 80, target: 80 }, { published: 80, target: 81 }, { published: 80, target: 82, protocol: 'udp' }] },
    paths: ['ports[1].published'],
  },
  { name: 'port out of range', raw: { name: 'a', image: 'x', ports: [{ published: 0, target: 80 }] }, paths: ['ports[0].published'] },
  {
    name: 'limits below reservations',
    raw: { name: 'a', image: 'x', resources: { limits: { cpus: 0.5, memoryBytes: 100 }, reservations: { cpus: 1, memoryBytes: 50 } } },
    paths: ['resources.limits.cpus'],
  },
  { name: 'bad update order', raw: { name: 'a', image: 'x', update: { order: 'sideways' } }, paths: ['update.order'] },
  { name: 'bind mount needs absolute source', raw: { name: 'a', image: 'x', mounts: [{ type: 'bind', source: 'rel', target: '/d' }] }, paths: ['mounts[0].source'] },
  { name: 'bad healthcheck kind', raw: { name: 'a', image: 'x', healthcheck: { test: ['curl'] } }, paths: ['healthcheck.test[0]'] },
  {
    name: 'network listed twice',
    raw: { name: 'a', image: 'x', networks: [{ name: 'back' }, { name: 'back', aliases: ['db'] }] },
    paths: ['networks[1].name'],
  },
  { name: 'bad alias', raw: { name: 'a', image: 'x', networks: [{ name: 'back', aliases: ['Not OK'] }] }, paths: ['networks[0].aliases[0]'] },
  {
    name: 'ingress port with dnsrr',
    raw: { name: 'a', image: 'x', endpointMode: 'dnsrr', ports: [{ published: 80, target: 80 }, { published: 81, target: 81, mode: 'host' }] },
    paths: ['ports[0].mode'],
  },
  { name: 'several problems at once', raw: { name: 'a', replicas: -1, mode: 'global' }, paths: ['replicas', 'image'] },
];

for (const c of cases) {
  test(`invalid spec: ${c.name}`, () => {
    const paths = issuesOf(c.raw).map((i) => i.path);
    assert.deepEqual([...paths].sort(), [...c.paths].sort());
  });
}

test('validation returns a copy, not the caller object', () => {
  const raw = { name: 'a', image: 'x', env: { A: '1' } };
  const spec = validateServiceSpec(raw);
  spec.env!.A = '2';
  assert.equal(raw.env.A, '1');
});

// Issue 13 §2: input that was accepted and then broke tasks or nodes.
test('env keys with "=" and NUL bytes in env, argv or args are refused with the field named', () => {
  const paths = (raw: unknown) => issuesOf(raw).map((i) => i.path);
  assert.ok(paths({ name: 'a', image: 'x', env: { 'A=B': '1' } }).some((p) => p.startsWith('env')));
  assert.deepEqual(paths({ name: 'a', image: 'x', env: { A: 'x\u0000y' } }), ['env.A']);
  assert.deepEqual(paths({ name: 'a', driver: 'exec', command: ['/bin/sh', '-c', 'echo\u0000'] }), ['command[2]']);
  assert.deepEqual(paths({ name: 'a', image: 'x', args: ['a\u0000'] }), ['args[0]']);
  assert.deepEqual(paths({ name: 'a', image: 'x', labels: { 'k\u0000': 'v' } }), ['labels.k\u0000']);
});

test('an image that is not a reference is refused; real references pass', () => {
  for (const image of ['busy box', 'x'.repeat(5000), 'Nginx', 'nginx:', 'a//b', 'nginx:1.27 && rm', '-rf']) {
    assert.deepEqual(issuesOf({ name: 'a', image }).map((i) => i.path), ['image'], image.slice(0, 20));
  }
  for (const image of ['nginx', 'nginx:1.27', 'library/nginx:latest', 'localhost:5000/shoal-test/busybox:1', 'ghcr.io/org/app@sha256:' + 'a'.repeat(64), 'registry.example.com/a/b_c-d:v1.2.3']) {
    assert.deepEqual(issuesOf({ name: 'a', image }), [], image);
  }
});

test('a garbled constraint is refused, a clean one passes', () => {
  for (const c of ['node.labels.x === y && rm', 'node.labels.x == y; rm -rf /', 'node.labels.x == $(id)', 'node.labels.x ==']) {
    assert.deepEqual(issuesOf({ name: 'a', image: 'x', placement: { constraints: [c] } }).map((i) => i.path), ['placement.constraints[0]'], c);
  }
  assert.deepEqual(issuesOf({ name: 'a', image: 'x', placement: { constraints: ['node.labels.zone == eu-west-1', 'node.hostname != n3.example.com'] } }), []);
});

test('health checks more frequent than 1 s or with a timeout under 100 ms are refused; 0 means the default', () => {
  assert.deepEqual(issuesOf({ name: 'a', image: 'x', healthcheck: { test: ['CMD', 'true'], intervalMs: 1 } }).map((i) => i.path), ['healthcheck.intervalMs']);
  assert.deepEqual(issuesOf({ name: 'a', image: 'x', healthcheck: { test: ['CMD', 'true'], timeoutMs: 5 } }).map((i) => i.path), ['healthcheck.timeoutMs']);
  assert.deepEqual(issuesOf({ name: 'a', image: 'x', healthcheck: { test: ['CMD', 'true'], intervalMs: 0, timeoutMs: 0 } }), []);
  assert.deepEqual(issuesOf({ name: 'a', image: 'x', healthcheck: { test: ['CMD', 'true'], intervalMs: 1000, timeoutMs: 100 } }), []);
});

test('networking fields are accepted and specNetworks defaults to the cluster network', () => {
  const spec = validateServiceSpec({ name: 'web', image: 'x', endpointMode: 'vip', networks: [{ name: 'app_default', aliases: ['www'] }], ports: [{ published: 80, target: 8080, mode: 'ingress' }] });
  assert.deepEqual(specNetworks(spec), [{ name: 'app_default', aliases: ['www'] }]);
  assert.deepEqual(specNetworks({}), [{ name: DEFAULT_NETWORK, aliases: [] }]);
});
