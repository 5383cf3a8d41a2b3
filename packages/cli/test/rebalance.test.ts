import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBackend } from '@shoal/api/testing';
import { cli, startServer, type TestServer } from './helpers.js';

let srv: TestServer | undefined;
after(async () => srv?.app.close());

test('service rebalance shows the moves with --dry-run, then asks for them; --all and bad usage', async () => {
  const backend = new MemoryBackend([{ name: 'n1' }, { name: 'n2' }, { name: 'n3' }]);
  srv = await startServer(backend);
  await backend.setNodeAvailability('n3', 'drain');
  await backend.createService({ name: 'web', image: 'x', replicas: 6 });
  await backend.setNodeAvailability('n3', 'active');
  const dry = await cli(['service', 'rebalance', 'web', '--dry-run'], srv.env);
  assert.equal(dry.code, 0, dry.err);
  assert.match(dry.out, /web: n1=3 n2=3 n3=0 -> n1=2 n2=2 n3=2/);
  assert.match(dry.out, /2 move\(s\) planned; run without --dry-run/);
  assert.match(dry.out, /FROM\s+TO/);
  const js = JSON.parse((await cli(['service', 'rebalance', 'web', '--dry-run', '--json'], srv.env)).out);
  assert.equal(js[0].moves.length, 2);
  assert.equal(js[0].requested, false);
  const real = await cli(['service', 'rebalance', '--all'], srv.env);
  assert.equal(real.code, 0, real.err);
  assert.match(real.out, /2 move\(s\) asked of the leader/);
  const again = await cli(['service', 'rebalance', 'web'], srv.env);
  assert.match(again.out, /already even: nothing to move/);
  const bad = await cli(['service', 'rebalance'], srv.env);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /needs a service name or --all/);
});

test('--rebalance sets the service mode; a wrong value is refused', async () => {
  srv ??= await startServer(new MemoryBackend());
  const ok = await cli(['service', 'create', 'api', '--image', 'x', '--rebalance', 'auto', '--detach'], srv.env);
  assert.equal(ok.code, 0, ok.err);
  assert.equal((await srv.backend.getService('api')).spec.rebalance, 'auto');
  const bad = await cli(['service', 'create', 'api2', '--image', 'x', '--rebalance', 'sometimes', '--detach'], srv.env);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /--rebalance: "sometimes" must be one of manual, auto/);
});
