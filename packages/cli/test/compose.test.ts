import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composeToSpecs, splitCommand } from '../src/compose/index.js';

const COMPOSE = `
version: "3.8"
services:
  web:
    image: nginx:1.27
    command: nginx -g 'daemon off;'
    environment:
      MODE: prod
      PORT: 8080
    ports:
      - "8080:80"
      - "127.0.0.1:5353:53/udp"
      - target: 443
        published: 8443
        protocol: tcp
        mode: host
    deploy:
      replicas: 3
      resources:
        limits: { cpus: "0.5", memory: 256M }
        reservations: { memory: 128m }
      placement:
        constraints: ["node.labels.zone==a"]
        preferences:
          - spread: node.labels.zone
      update_config:
        parallelism: 2
        delay: 10s
        failure_action: rollback
        monitor: 1m30s
        order: start-first
      restart_policy:
        condition: on-failure
        max_attempts: 3
        delay: 5s
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost"]
      interval: 30s
      timeout: 5s
      retries: 3
      start_period: 1m
    stop_grace_period: 20s
    networks: [front]
  worker:
    image: busybox
    entrypoint: ["/bin/sh", "-c"]
    command: ["sleep 1000"]
    environment: ["A=1", "B=two"]
    volumes: ["/data:/data:ro", "cache:/cache"]
    deploy:
      mode: global
      endpoint_mode: dnsrr
    healthcheck:
      test: curl -f localhost || exit 1
    logging: { driver: syslog }
networks:
  front: {}
`;

test('compose services become specs named <stack>_<service>', () => {
  const { specs, warnings } = composeToSpecs(COMPOSE, 'shop');
  assert.deepEqual(specs.map((s) => s.name), ['shop_web', 'shop_worker']);
  const [web, worker] = specs;
  assert.deepEqual(web, {
    name: 'shop_web',
    labels: { 'shoal.stack': 'shop' },
    image: 'nginx:1.27',
    args: ['nginx', '-g', 'daemon off;'],
    env: { MODE: 'prod', PORT: '8080' },
    ports: [{ published: 8080, target: 80 }, { published: 5353, target: 53, protocol: 'udp' }, { published: 8443, target: 443 }],
    replicas: 3,
    resources: { limits: { cpus: 0.5, memoryBytes: 256 * 1024 ** 2 }, reservations: { memoryBytes: 128 * 1024 ** 2 } },
    placement: { constraints: ['node.labels.zone==a'], preferences: [{ spread: 'node.labels.zone' }] },
    update: { parallelism: 2, delayMs: 10_000, failureAction: 'rollback', monitorMs: 90_000, order: 'start-first' },
    restart: { condition: 'on-failure', maxAttempts: 3, delayMs: 5000 },
    healthcheck: { test: ['CMD', 'curl', '-f', 'http://localhost'], intervalMs: 30_000, timeoutMs: 5000, retries: 3, startPeriodMs: 60_000 },
    stopGracePeriodMs: 20_000,
  });
  assert.deepEqual(worker, {
    name: 'shop_worker',
    labels: { 'shoal.stack': 'shop' },
    image: 'busybox',
    command: ['/bin/sh', '-c'],
    args: ['sleep 1000'],
    env: { A: '1', B: 'two' },
    mounts: [{ type: 'bind', source: '/data', target: '/data', readOnly: true }, { type: 'volume', source: 'shop_cache', target: '/cache' }],
    mode: 'global',
    healthcheck: { test: ['CMD-SHELL', 'curl -f localhost || exit 1'] },
  });
  assert.deepEqual(warnings, [
    'top-level "networks" is not supported; ignored',
    'services.web.networks is not supported; ignored',
    'services.web.ports[1]: host IP in "127.0.0.1:5353:53/udp" is ignored',
    'services.worker.logging is not supported; ignored',
    'services.worker.deploy.endpoint_mode is not supported; ignored',
  ]);
});

test('bad compose files fail with a message naming the place', () => {
  assert.throws(() => composeToSpecs('services: [', 's'), { code: 'INVALID_SPEC', message: /^compose file is not valid YAML/ });
  assert.throws(() => composeToSpecs('version: "3"', 's'), { message: 'compose file has no "services" map' });
  assert.throws(() => composeToSpecs('services:\n  web:\n    image: x\n    stop_grace_period: soon\n', 's'), { message: /services\.web\.stop_grace_period: "soon" is not a duration/ });
  assert.throws(() => composeToSpecs('services:\n  web:\n    deploy:\n      resources:\n        limits: { memory: lots }\n', 's'), { message: /services\.web\.deploy\.resources\.limits\.memory: "lots" is not a size/ });
  assert.throws(() => composeToSpecs('services: {}', 'Bad Name'), { message: /stack name "Bad Name"/ });
});

test('healthcheck disable and ports without a published side', () => {
  const { specs, warnings } = composeToSpecs('services:\n  a:\n    image: x\n    ports: ["80", {target: 90}]\n    healthcheck: {disable: true}\n', 's');
  assert.deepEqual(specs[0].healthcheck, { test: ['NONE'] });
  assert.equal(specs[0].ports, undefined);
  assert.equal(warnings.length, 2);
});

test('splitCommand honours quotes', () => {
  assert.deepEqual(splitCommand(`sh -c "echo \\"hi\\" there" 'a b'`, 'x'), ['sh', '-c', 'echo "hi" there', 'a b']);
  assert.deepEqual(splitCommand(['a', 1], 'x'), ['a', '1']);
});
