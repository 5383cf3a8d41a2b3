import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceSpec } from '@shoal/types';
import { applyServiceFlags } from '../src/spec-flags.js';
import { startServer, cli } from './helpers.js';

const server = await startServer();
after(() => server.app.close());

/** argv after `service create NAME --detach` -> the fields the committed spec must have. */
const cases: { args: string[]; spec: Partial<ServiceSpec> }[] = [
  {
    args: ['--image', 'nginx:1.27', '--replicas', '3', '-p', '8080:80', '-p', '53:53/udp', '-e', 'A=1', '-e', 'B=x=y', '--label', 'tier=front'],
    spec: { image: 'nginx:1.27', replicas: 3, ports: [{ published: 8080, target: 80 }, { published: 53, target: 53, protocol: 'udp' }], env: { A: '1', B: 'x=y' }, labels: { tier: 'front' } },
  },
  { args: ['--replicas', '6', '--driver', 'exec', '--', 'sleep', '100000'], spec: { driver: 'exec', replicas: 6, command: ['sleep', '100000'] } },
  { args: ['--image', 'busybox', '--', 'sleep', '-x', '10'], spec: { image: 'busybox', args: ['sleep', '-x', '10'] } },
  { args: ['--image', 'busybox', '--entrypoint', '/bin/sh'], spec: { command: ['/bin/sh'] } },
  { args: ['--image', 'agent', '--mode', 'global'], spec: { mode: 'global' } },
  {
    args: ['--image', 'x', '-p', '8080:80,mode=host', '--network', 'back:db,cache', '--network', 'front', '--endpoint-mode', 'dnsrr'],
    spec: { ports: [{ published: 8080, target: 80, mode: 'host' }], networks: [{ name: 'back', aliases: ['db', 'cache'] }, { name: 'front' }], endpointMode: 'dnsrr' },
  },
  {
    args: ['--image', 'x', '--constraint', 'node.labels.zone==a', '--constraint', 'node.hostname!=n3', '--placement-pref', 'spread=node.labels.zone'],
    spec: { placement: { constraints: ['node.labels.zone==a', 'node.hostname!=n3'], preferences: [{ spread: 'node.labels.zone' }] } },
  },
  {
    args: ['--image', 'x', '--reserve-cpu', '0.5', '--reserve-memory', '256M', '--limit-cpu', '2', '--limit-memory', '1.5G'],
    spec: { resources: { reservations: { cpus: 0.5, memoryBytes: 256 * 1024 ** 2 }, limits: { cpus: 2, memoryBytes: 1.5 * 1024 ** 3 } } },
  },
  {
    args: ['--image', 'x', '--update-parallelism', '2', '--update-delay', '10s', '--update-failure-action', 'rollback', '--update-monitor', '1m30s', '--update-order', 'start-first'],
    spec: { update: { parallelism: 2, delayMs: 10_000, failureAction: 'rollback', monitorMs: 90_000, order: 'start-first', maxFailureRatio: 0 } },
  },
  { args: ['--image', 'x', '--restart-condition', 'on-failure', '--restart-max-attempts', '3', '--restart-delay', '5s'], spec: { restart: { condition: 'on-failure', maxAttempts: 3, delayMs: 5000, windowMs: 0 } } },
  {
    args: ['--image', 'x', '--health-cmd', 'curl -f localhost', '--health-interval', '5s', '--health-timeout', '2s', '--health-retries', '3'],
    spec: { healthcheck: { test: ['CMD-SHELL', 'curl -f localhost'], intervalMs: 5000, timeoutMs: 2000, retries: 3 } },
  },
  { args: ['--image', 'x', '--stop-grace-period', '1m30s', '-w', '/srv'], spec: { stopGracePeriodMs: 90_000, workdir: '/srv' } },
];

cases.forEach((c, i) => {
  test(`service create ${c.args.join(' ')}`, async () => {
    const name = `svc${i}`;
    const res = await cli(['service', 'create', name, '--detach', ...c.args], server.env);
    assert.equal(res.err, '');
    assert.equal(res.code, 0);
    assert.equal(res.out, `${name} created`);
    const spec = server.backend.services.get(name)!.spec;
    assert.partialDeepStrictEqual(spec, { name, ...c.spec });
  });
});

const refused: { args: string[]; message: RegExp }[] = [
  { args: ['--image', 'x', '-p', '80'], message: /^Error: --publish: "80" must be PUBLISHED:TARGET\[\/udp\]\[,mode=host\], e\.g\. 8080:80$/ },
  { args: ['--image', 'x', '-p', '0:80'], message: /ports are 1-65535/ },
  { args: ['--image', 'x', '--replicas', 'three'], message: /^Error: --replicas: "three" is not a whole number$/ },
  { args: ['--image', 'x', '--update-delay', 'soon'], message: /--update-delay: "soon" is not a duration/ },
  { args: ['--image', 'x', '--mode', 'global', '--replicas', '3'], message: /--replicas cannot be used with --mode global/ },
  { args: ['--image', 'x', '--driver', 'podman'], message: /--driver: "podman" must be one of docker, exec/ },
  { args: ['--image', 'x', '-e', '=1'], message: /--env: "=1" must be KEY=VALUE/ },
  { args: ['--image', 'x', '--health-retries', '3'], message: /need --health-cmd/ },
  { args: ['--replicas', '2'], message: /image: missing for the docker driver/ },
];

for (const r of refused) {
  test(`service create refuses ${r.args.join(' ')}`, async () => {
    const before = server.backend.mutations;
    const res = await cli(['service', 'create', 'bad', '--detach', ...r.args], server.env);
    assert.equal(res.code, 1);
    assert.match(res.err, r.message);
    assert.ok(!res.err.includes('    at '), 'no stack trace');
    assert.equal(server.backend.mutations, before);
  });
}

test('update flags: scalars replace, env and labels merge, lists replace', () => {
  const base: ServiceSpec = { name: 'web', image: 'nginx:1', env: { A: '1', B: '2' }, ports: [{ published: 80, target: 80 }], placement: { constraints: ['node.labels.zone==a'] } };
  const next = applyServiceFlags(base, { image: 'nginx:2', env: ['B=3', 'C=4'], publish: ['8080:80'] });
  assert.deepEqual(next, { name: 'web', image: 'nginx:2', env: { A: '1', B: '3', C: '4' }, ports: [{ published: 8080, target: 80 }], placement: { constraints: ['node.labels.zone==a'] } });
  assert.deepEqual(base.env, { A: '1', B: '2' }, 'the base spec is not mutated');
  assert.deepEqual(applyServiceFlags(base, { constraint: ['node.labels.zone==b'] }).placement, { constraints: ['node.labels.zone==b'] });
  assert.deepEqual(applyServiceFlags({ name: 'g', image: 'x', replicas: 1 }, { mode: 'global' }), { name: 'g', image: 'x', mode: 'global' });
});

test('-e KEY takes the value from the calling environment, as docker does', () => {
  assert.deepEqual(applyServiceFlags({ name: 'w', image: 'x' }, { env: ['HOME'] }, [], { HOME: '/root' }).env, { HOME: '/root' });
  assert.throws(() => applyServiceFlags({ name: 'w', image: 'x' }, { env: ['NOPE'] }, [], {}), /NOPE is not set here/);
});
