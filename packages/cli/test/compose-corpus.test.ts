// Realistic Compose applications (test/fixtures/compose): each is accepted, becomes the expected specs
// in dependency order, passes the cluster's own spec validation, and gives exactly the expected warnings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { specIssues } from '@shoal/types';
import { composeToSpecs, type ComposeImport } from '../src/compose/index.js';

const CORPUS = fileURLToPath(new URL('../../test/fixtures/compose/', import.meta.url));

function load(app: string, stack: string, env: Record<string, string> = {}): ComposeImport & { dir: string } {
  const dir = join(CORPUS, app);
  const result = composeToSpecs(readFileSync(join(dir, 'compose.yaml'), 'utf8'), stack, { dir, env, home: '/home/u' });
  for (const spec of result.specs) assert.deepEqual(specIssues(spec), [], `${spec.name} passes the cluster's validation`);
  return { ...result, dir };
}

const byName = (r: ComposeImport, name: string) => r.specs.find((s) => s.name === name)!;

test('flask + redis counter: build with image pulls the image; redis first', () => {
  const r = load('flask-redis', 'counter');
  assert.deepEqual(r.specs.map((s) => s.name), ['counter_redis', 'counter_web']);
  assert.deepEqual(byName(r, 'counter_web'), {
    name: 'counter_web',
    labels: { 'shoal.stack': 'counter' },
    image: 'shoal-test/flask-counter:1',
    env: { FLASK_DEBUG: 'true' },
    ports: [{ published: 8000, target: 5000 }],
    networks: [{ name: 'counter_default' }],
  });
  assert.deepEqual(byName(r, 'counter_redis').networks, [{ name: 'counter_default' }], 'services that list no network share <stack>_default');
  assert.deepEqual(r.dependencies, { counter_web: [{ service: 'counter_redis', condition: 'started' }] });
  assert.deepEqual(r.warnings, ['services.web.build is ignored: the image is pulled by every node, not built']);
});

test('wordpress + mysql: restart always, list environment, named volumes, expose', () => {
  const r = load('wordpress-mysql', 'wp');
  assert.deepEqual(r.specs.map((s) => s.name), ['wp_db', 'wp_wordpress']);
  const db = byName(r, 'wp_db');
  assert.deepEqual(db.args, ['--default-authentication-plugin=mysql_native_password']);
  assert.deepEqual(db.restart, { condition: 'any' });
  assert.equal(db.env!.MYSQL_DATABASE, 'wordpress');
  assert.deepEqual(db.mounts, [{ type: 'volume', source: 'wp_db_data', target: '/var/lib/mysql' }], 'named volumes are scoped to the stack');
  assert.deepEqual(db.ports, undefined, 'expose publishes nothing on the nodes');
  assert.deepEqual(byName(r, 'wp_wordpress').ports, [{ published: 80, target: 80 }]);
  assert.deepEqual(r.warnings, []);
});

test('voting app: healthy dependencies order five services; relative binds resolve beside the file', () => {
  const r = load('voting-app', 'vote');
  const order = r.specs.map((s) => s.name);
  const before = (a: string, b: string) => assert.ok(order.indexOf(a) < order.indexOf(b), `${a} before ${b} in ${order.join(', ')}`);
  before('vote_redis', 'vote_vote');
  before('vote_db', 'vote_result');
  before('vote_redis', 'vote_worker');
  before('vote_db', 'vote_worker');
  assert.deepEqual(r.dependencies.vote_worker, [
    { service: 'vote_redis', condition: 'healthy' },
    { service: 'vote_db', condition: 'healthy' },
  ]);
  assert.deepEqual(byName(r, 'vote_redis').mounts, [{ type: 'bind', source: join(r.dir, 'healthchecks'), target: '/healthchecks' }]);
  assert.deepEqual(byName(r, 'vote_redis').healthcheck, { test: ['CMD-SHELL', '/healthchecks/redis.sh'], intervalMs: 5000 });
  assert.equal(byName(r, 'vote_vote').replicas, 2);
  assert.deepEqual(byName(r, 'vote_vote').networks, [{ name: 'vote_front-tier' }, { name: 'vote_back-tier' }]);
  assert.deepEqual(byName(r, 'vote_db').networks, [{ name: 'vote_back-tier' }]);
  assert.deepEqual(r.warnings, []);
});

test('nginx + api + postgres: .env, env_file, required variables, ~, user, hostname, restart forms', () => {
  const r = load('nginx-api-postgres', 'shop', { API_TAG: '2.5.0' });
  assert.deepEqual(r.specs.map((s) => s.name), ['shop_db', 'shop_api', 'shop_proxy']);
  const api = byName(r, 'shop_api');
  assert.equal(api.image, 'registry.example.com:5000/acme/shop-api:2.5.0', 'the shell wins over .env');
  assert.deepEqual(api.env, {
    PORT: '3000',
    CACHE_URL: 'redis://cache:6379/0',
    GREETING: 'hello ${NOT_EXPANDED}',
    LOG_LEVEL: 'debug',
    DATABASE_URL: 'postgres://shop:from-dotenv@db:5432/shop',
  });
  assert.equal(api.hostname, 'api');
  assert.equal(api.user, '1000:1000');
  assert.deepEqual(api.restart, { condition: 'on-failure', maxAttempts: 5 });
  assert.equal(api.stopGracePeriodMs, 30_000);
  assert.equal(byName(r, 'shop_db').user, 'postgres');
  const proxy = byName(r, 'shop_proxy');
  assert.deepEqual(proxy.mounts, [
    { type: 'bind', source: join(r.dir, 'nginx/nginx.conf'), target: '/etc/nginx/nginx.conf', readOnly: true },
    { type: 'bind', source: '/home/u/shop/static', target: '/usr/share/nginx/html', readOnly: true },
  ]);
  assert.deepEqual(proxy.restart, { condition: 'any' });
  assert.deepEqual(r.dependencies, { shop_proxy: [{ service: 'shop_api', condition: 'started' }], shop_api: [{ service: 'shop_db', condition: 'healthy' }] });
  assert.deepEqual(r.warnings, [
    'services.api.depends_on.db.restart is not supported; ignored',
    'services.proxy.restart: unless-stopped restarts like always (a service is stopped by removing or scaling it)',
    'services.api.environment.LOG_LEVEL: no value and not set in the environment; the env_file value is kept',
    'services.db.container_name is not supported; ignored',
  ]);
});

test('nginx + api + postgres: a required variable that is set nowhere refuses the file, naming it', () => {
  const dir = join(CORPUS, 'nginx-api-postgres');
  const text = readFileSync(join(dir, 'compose.yaml'), 'utf8');
  const noDotenv = (path: string) => {
    if (path.endsWith('.env') && !path.endsWith('api.env')) throw new Error('ENOENT');
    return readFileSync(path, 'utf8');
  };
  assert.throws(() => composeToSpecs(text, 'shop', { dir, env: {}, readFile: noDotenv }), {
    code: 'INVALID_SPEC',
    message: 'services.api.image: required variable API_TAG is not set: set API_TAG to the release to deploy',
  });
  assert.throws(() => composeToSpecs(text, 'shop', { dir, env: { API_TAG: '1' }, readFile: noDotenv }), {
    message: 'services.db.environment.POSTGRES_PASSWORD: required variable POSTGRES_PASSWORD is not set',
  });
});

test('interpolation: defaults, empty vs unset, nesting, alternatives, $$ escapes, .env', () => {
  const r = load('interpolation', 'interp', { MODE: 'staging' });
  const [app] = r.specs;
  assert.equal(app.image, 'busybox:1.35');
  assert.deepEqual(app.args, ['sh', '-c', 'echo $HOME and ${NOT_A_VAR}; sleep 1000']);
  assert.deepEqual(app.env, { MODE: 'staging', EMPTY_DEFAULTED: 'fallback', EMPTY_KEPT: '', NESTED: '1.35-nested', ALT: 'tag-is-set', UNSET: '' });
  assert.equal(app.replicas, 2);
  assert.equal(app.labels!.owner, 'dotenv-owner');
  assert.deepEqual(r.warnings, ['services.app.environment.UNSET: variable "NOT_SET_ANYWHERE" is not set; an empty string is used']);
});

test('extends from another file, merge keys, x- fields and long syntax ports', () => {
  const r = load('extends', 'ext');
  assert.deepEqual(r.specs.map((s) => s.name), ['ext_cache', 'ext_api', 'ext_worker']);
  const api = byName(r, 'ext_api');
  assert.equal(api.image, 'acme/app:3');
  assert.deepEqual(api.env, { LOG_LEVEL: 'debug', REGION: 'eu' }, 'list and map environment merge, the extending service wins');
  assert.deepEqual(api.labels, { 'shoal.stack': 'ext', team: 'platform' });
  assert.deepEqual(api.healthcheck?.intervalMs, 10_000);
  const worker = byName(r, 'ext_worker');
  assert.deepEqual(worker.args, ['worker', '--queue', 'default']);
  assert.equal(worker.mode, 'global');
  assert.deepEqual(worker.resources, { limits: { cpus: 0.25, memoryBytes: 128 * 1024 ** 2 } });
  assert.deepEqual(byName(r, 'ext_cache').mounts, [{ type: 'tmpfs', target: '/tmp' }]);
  assert.deepEqual(api.ports, [{ published: 8080, target: 8080, mode: 'ingress' }, { published: 9090, target: 9090, mode: 'host' }]);
  assert.deepEqual(r.warnings, ['services.cache.ports[0]: host IP in "127.0.0.1:6379:6379" is ignored; the port is published on every address']);
});
