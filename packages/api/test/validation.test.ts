import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, auth } from './helpers.js';

const cases: { name: string; url: string; payload: unknown; message: RegExp }[] = [
  { name: 'unknown spec field', url: '/v1/services', payload: { name: 'web', image: 'nginx', replica: 3 }, message: /replica: Unexpected property — remove it/ },
  { name: 'replicas not an integer', url: '/v1/services', payload: { name: 'web', image: 'nginx', replicas: 'three' }, message: /replicas: expected integer — give an integer >= 0/ },
  { name: 'negative replicas', url: '/v1/services', payload: { name: 'web', image: 'nginx', replicas: -1 }, message: /replicas: expected integer to be greater or equal to 0/ },
  { name: 'upper-case name', url: '/v1/services', payload: { name: 'Web', image: 'nginx' }, message: /name: expected string to match .* — use Lower-case letters/ },
  { name: 'missing name', url: '/v1/services', payload: { image: 'nginx' }, message: /name: expected required property — add it/ },
  { name: 'port out of range', url: '/v1/services', payload: { name: 'web', image: 'nginx', ports: [{ published: 70000, target: 80 }] }, message: /ports\[0\]\.published: expected integer to be less or equal to 65535/ },
  { name: 'body not an object', url: '/v1/services', payload: [1, 2], message: /\(spec\): expected object/ },
  { name: 'scale without replicas', url: '/v1/services/web/scale', payload: {}, message: /\/replicas: Expected required property/ },
  { name: 'bad availability', url: '/v1/nodes/node-1/availability', payload: { availability: 'off' }, message: /\/availability/ },
  { name: 'update without spec', url: '/v1/services/web/update', payload: { dryRun: true }, message: /invalid body: \/spec: Expected required property/ },
];

for (const c of cases) {
  test(`400 INVALID_SPEC with a clear message: ${c.name}`, async () => {
    const { app, backend } = setup();
    const res = await app.inject({ method: 'POST', url: c.url, payload: c.payload as object, headers: auth });
    assert.equal(res.statusCode, 400);
    const { error } = res.json();
    assert.equal(error.code, 'INVALID_SPEC');
    assert.match(error.message, c.message);
    assert.equal(backend.mutations, 0);
  });
}

test('semantic problems are reported all at once, with fixes', async () => {
  const { app } = setup();
  const res = await app.inject({ method: 'POST', url: '/v1/services', payload: { name: 'Web', replica: 2 }, headers: auth });
  assert.equal(res.statusCode, 400);
  const { error } = res.json();
  assert.match(error.message, /^invalid service spec \(3 problems\)/);
  assert.match(error.message, /image: missing for the docker driver/);
  assert.deepEqual(error.details.issues.map((i: { path: string }) => i.path).sort(), ['image', 'name', 'replica']);
});

test('an update body is checked as a whole: envelope by schema, spec by validateServiceSpec', async () => {
  const { app } = setup();
  await app.inject({ method: 'POST', url: '/v1/services', payload: { name: 'web', image: 'nginx' }, headers: auth });
  const extra = await app.inject({ method: 'POST', url: '/v1/services/web/update', payload: { spec: { name: 'web', image: 'nginx' }, force: true }, headers: auth });
  assert.match(extra.json().error.message, /invalid body: \/force: Unexpected property/);
  const badSpec = await app.inject({ method: 'POST', url: '/v1/services/web/update', payload: { spec: { name: 'web', driver: 'exec' } }, headers: auth });
  assert.equal(badSpec.statusCode, 400);
  assert.match(badSpec.json().error.message, /invalid service spec/);
});

test('accepted specs reach the backend with defaults applied', async () => {
  const { app, backend } = setup();
  await app.inject({ method: 'POST', url: '/v1/services', payload: { name: 'web', image: 'nginx' }, headers: auth });
  const spec = backend.services.get('web')!.spec;
  assert.equal(spec.replicas, 1);
  assert.equal(spec.driver, 'docker');
});

test('bad query strings are 400, good ones are coerced', async () => {
  const { app } = setup();
  const bad = await app.inject({ method: 'GET', url: '/v1/tasks?all=maybe', headers: auth });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().error.message, /invalid querystring: \/all/);
  const unknown = await app.inject({ method: 'GET', url: '/v1/tasks?servce=web', headers: auth });
  assert.equal(unknown.statusCode, 400);
  const good = await app.inject({ method: 'GET', url: '/v1/tasks?all=true', headers: auth });
  assert.equal(good.statusCode, 200);
});

test('malformed JSON and oversized bodies are refused with codes', async () => {
  const { app } = setup();
  const malformed = await app.inject({ method: 'POST', url: '/v1/services', payload: '{"name":', headers: { ...auth, 'content-type': 'application/json' } });
  assert.equal(malformed.statusCode, 400);
  assert.equal(malformed.json().error.code, 'INVALID_SPEC');
  const big = await app.inject({ method: 'POST', url: '/v1/services', payload: { name: 'web', image: 'x'.repeat(2 * 1024 * 1024) }, headers: auth });
  assert.equal(big.statusCode, 413);
  assert.equal(big.json().error.code, 'MESSAGE_TOO_LARGE');
});

test('backend errors keep their code and map to HTTP statuses', async () => {
  const { app } = setup();
  const missing = await app.inject({ method: 'GET', url: '/v1/services/nope', headers: auth });
  assert.equal(missing.statusCode, 404);
  assert.deepEqual(missing.json(), { error: { code: 'NOT_FOUND', message: 'no service nope; see `shoal service ls`' } });
  await app.inject({ method: 'POST', url: '/v1/services', payload: { name: 'web', image: 'nginx' }, headers: auth });
  const dup = await app.inject({ method: 'POST', url: '/v1/services', payload: { name: 'web', image: 'nginx' }, headers: auth });
  assert.equal(dup.statusCode, 409);
  assert.equal(dup.json().error.code, 'CONFLICT');
  const unknownRoute = await app.inject({ method: 'GET', url: '/v1/nothing', headers: auth });
  assert.equal(unknownRoute.statusCode, 404);
});
