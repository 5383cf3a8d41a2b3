import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composeToSpecs, splitCommand } from '../src/compose/index.js';
import { interpolator } from '../src/compose/interpolate.js';
import { parseDotenv } from '../src/compose/dotenv.js';

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
    ports: [{ published: 8080, target: 80 }, { published: 5353, target: 53, protocol: 'udp' }, { published: 8443, target: 443, mode: 'host' }],
    networks: [{ name: 'shop_front' }],
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
    endpointMode: 'dnsrr',
    networks: [{ name: 'shop_default' }],
    healthcheck: { test: ['CMD-SHELL', 'curl -f localhost || exit 1'] },
  });
  assert.deepEqual(warnings, [
    'services.web.ports[1]: host IP in "127.0.0.1:5353:53/udp" is ignored; the port is published on every address',
    'services.worker.logging is not supported; ignored',
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

test('interpolation follows docker compose, with errors that name the place', () => {
  const warnings: string[] = [];
  const run = interpolator({ A: 'a', EMPTY: '' }, (m) => warnings.push(m));
  const cases: [string, string][] = [
    ['$A-${A}', 'a-a'],
    ['${EMPTY:-d} ${EMPTY-d} ${UNSET-d} ${UNSET:-d}', 'd  d d'],
    ['${A:+x}${EMPTY:+x}${EMPTY+y}${UNSET+z}', 'xy'],
    ['${UNSET:-${A}/${UNSET:-deep}}', 'a/deep'],
    ['$$A $${A} $ 5$ $-', '$A ${A} $ 5$ $-'],
    ['$UNSET and $UNSET', ' and '],
  ];
  for (const [input, want] of cases) assert.equal(run(input, 'x'), want, input);
  assert.deepEqual(warnings, ['x: variable "UNSET" is not set; an empty string is used']);
  assert.throws(() => run('${EMPTY:?must be set}', 'services.a.image'), { code: 'INVALID_SPEC', message: 'services.a.image: required variable EMPTY is empty: must be set' });
  assert.equal(run('${EMPTY?}', 'w'), '');
  assert.throws(() => run('${UNSET?}', 'w'), { message: 'w: required variable UNSET is not set' });
  assert.throws(() => run('${A', 'w'), { message: /w: "\$\{A" has an unclosed/ });
  assert.throws(() => run('${1A}', 'w'), { message: /is not a valid interpolation/ });
  assert.throws(() => run('${A:x}', 'w'), { message: /is not a valid interpolation/ });
});

test('.env files: export, comments, quotes, escapes, references to earlier lines', () => {
  const env = parseDotenv('# c\nexport A=1\nB = two words  # note\nC="x\\ny #not a comment"\nD=\'$A literal\'\nE=${A}-$B\nF\nG\n', '.env', { F: 'from-shell' }, () => undefined);
  assert.deepEqual(env, { A: '1', B: 'two words', C: 'x\ny #not a comment', D: '$A literal', E: '1-two words', F: 'from-shell' });
  assert.throws(() => parseDotenv('A=1\nnot a line\n', 'app.env', {}, () => undefined), { message: 'app.env:2: "not a line" is not KEY=VALUE' });
});

test('the shell environment wins over .env; .env is optional', () => {
  const files: Record<string, string> = { '/app/.env': 'TAG=1\nMODE=dev\n' };
  const readFile = (p: string) => {
    if (!(p in files)) throw new Error('ENOENT');
    return files[p];
  };
  const text = 'services:\n  a:\n    image: "x:${TAG}"\n    environment: [MODE=$MODE]\n';
  const { specs } = composeToSpecs(text, 's', { dir: '/app', env: { TAG: '2' }, readFile });
  assert.equal(specs[0].image, 'x:2');
  assert.deepEqual(specs[0].env, { MODE: 'dev' });
  const bare = composeToSpecs(text, 's', { dir: '/elsewhere', env: {}, readFile });
  assert.equal(bare.specs[0].image, 'x:');
  assert.equal(bare.warnings.length, 2);
});

test('env_file: list and long form, later files and environment win, optional files may be missing', () => {
  const files: Record<string, string> = { '/app/a.env': 'A=1\nB=1\n', '/app/conf/b.env': 'B=2\nC=2\n' };
  const readFile = (p: string) => {
    if (!(p in files)) throw new Error(`ENOENT ${p}`);
    return files[p];
  };
  const text = 'services:\n  a:\n    image: x\n    env_file: [a.env, {path: ./conf/b.env}, {path: missing.env, required: false}]\n    environment: {C: "3"}\n';
  assert.deepEqual(composeToSpecs(text, 's', { dir: '/app', readFile }).specs[0].env, { A: '1', B: '2', C: '3' });
  assert.throws(() => composeToSpecs('services:\n  a:\n    image: x\n    env_file: nope.env\n', 's', { dir: '/app', readFile }), { message: /^services\.a\.env_file: cannot read \/app\/nope\.env/ });
});

test('restart maps onto the restart policy; deploy.restart_policy wins', () => {
  const restartOf = (value: string, extra = '') => composeToSpecs(`services:\n  a:\n    image: x\n    restart: "${value}"\n${extra}`, 's');
  assert.deepEqual(restartOf('no').specs[0].restart, { condition: 'none' });
  assert.deepEqual(restartOf('always').specs[0].restart, { condition: 'any' });
  assert.deepEqual(restartOf('on-failure').specs[0].restart, { condition: 'on-failure' });
  assert.deepEqual(restartOf('on-failure:3').specs[0].restart, { condition: 'on-failure', maxAttempts: 3 });
  const both = restartOf('always', '    deploy: {restart_policy: {condition: none}}\n');
  assert.deepEqual(both.specs[0].restart, { condition: 'none' });
  assert.deepEqual(both.warnings, ['services.a.restart is overridden by deploy.restart_policy']);
  assert.throws(() => restartOf('sometimes'), { message: 'services.a.restart: "sometimes" must be no, always, on-failure[:N] or unless-stopped' });
});

test('depends_on: unknown services, cycles and healthy without a healthcheck are refused', () => {
  assert.throws(() => composeToSpecs('services:\n  a:\n    image: x\n    depends_on: [b]\n', 's'), { message: 'services.a.depends_on: service "b" is not defined in this file' });
  assert.throws(() => composeToSpecs('services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [a]\n', 's'), { message: 'depends_on has a cycle: a -> b -> a' });
  assert.throws(() => composeToSpecs('services:\n  a:\n    image: x\n    depends_on: {b: {condition: service_healthy}}\n  b:\n    image: x\n', 's'), {
    message: 'services.a.depends_on.b: condition service_healthy needs a healthcheck on service "b"; add one or use service_started',
  });
  const done = composeToSpecs('services:\n  a:\n    image: x\n    depends_on: {b: {condition: service_completed_successfully}}\n  b:\n    image: x\n', 's');
  assert.deepEqual(done.dependencies, { s_a: [{ service: 's_b', condition: 'started' }] });
  assert.match(done.warnings[0], /service_completed_successfully is treated as service_started/);
});

test('extends in the same file (short form), and a cycle is refused', () => {
  const { specs } = composeToSpecs('services:\n  base:\n    image: x\n    environment: [A=1]\n    ports: ["80:80"]\n  b:\n    extends: base\n    environment: [B=2]\n    ports: ["81:81"]\n', 's');
  assert.deepEqual(specs[1].env, { A: '1', B: '2' });
  assert.deepEqual(specs[1].ports, [{ published: 80, target: 80 }, { published: 81, target: 81 }]);
  assert.throws(() => composeToSpecs('services:\n  a:\n    extends: b\n  b:\n    extends: a\n', 's'), { message: /extends has a cycle/ });
});

test('networks: list and map forms, aliases, <stack>_default, external names, undeclared networks refused', () => {
  const text = `
services:
  api:
    image: x
    networks:
      back: { aliases: [Backend, api-v2] }
      default:
  db:
    image: x
    networks: [back]
  proxy:
    image: x
    networks: [shared]
  host:
    image: x
    network_mode: host
networks:
  back: { driver: overlay }
  shared: { external: true, name: edge }
`;
  const { specs, warnings } = composeToSpecs(text, 'shop');
  const nets = Object.fromEntries(specs.map((s) => [s.name, s.networks]));
  assert.deepEqual(nets, {
    shop_api: [{ name: 'shop_back', aliases: ['backend', 'api-v2'] }, { name: 'shop_default' }],
    shop_db: [{ name: 'shop_back' }],
    shop_proxy: [{ name: 'edge' }],
    shop_host: undefined,
  });
  assert.deepEqual(warnings, ["networks.back.driver is not supported; the network is created with the cluster's settings"]);
  assert.throws(() => composeToSpecs('services:\n  a:\n    image: x\n    networks: [nope]\n', 's'), { message: 'services.a.networks.nope: network "nope" is not declared in the top-level networks section' });
});

test('ports: long syntax modes, target-only ports and expose publish nothing on the nodes', () => {
  const text = 'services:\n  a:\n    image: x\n    expose: ["9000", 9001]\n    ports: ["80", {target: 81}, {target: 82, published: 8082, mode: ingress}, {target: 83, published: 8083, mode: host, protocol: udp}]\n';
  const { specs, warnings } = composeToSpecs(text, 's');
  assert.deepEqual(specs[0].ports, [{ published: 8082, target: 82, mode: 'ingress' }, { published: 8083, target: 83, protocol: 'udp', mode: 'host' }]);
  assert.deepEqual(warnings, [
    'services.a.ports[0]: "80" has no published port: not published on the nodes (other services reach it on a shared network)',
    'services.a.ports[1]: port 81 has no published port: not published on the nodes (other services reach it on a shared network)',
  ]);
  assert.throws(() => composeToSpecs('services:\n  a:\n    image: x\n    ports: [{target: 1, published: 2, mode: mesh}]\n', 's'), { message: 'services.a.ports[0].mode: "mesh" must be ingress or host' });
  assert.throws(() => composeToSpecs('services:\n  a:\n    image: x\n    expose: ["http"]\n', 's'), { message: /services\.a\.expose: "http" is not a port/ });
});
