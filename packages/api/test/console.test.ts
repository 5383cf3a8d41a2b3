import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerConsole } from '../src/console.js';
import { request } from 'node:http';
import { auth, listen, setup } from './helpers.js';

function builtConsole(): string {
  const root = mkdtempSync(join(tmpdir(), 'shoal-console-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>shoal console</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'export {};');
  return root;
}

test('the console is served at /ui/ without a token, with a strict content security policy', async () => {
  const root = builtConsole();
  const { app } = setup();
  registerConsole(app, { root });
  try {
    const redirect = await app.inject({ url: '/ui' });
    assert.equal(redirect.statusCode, 302);
    assert.equal(redirect.headers.location, '/ui/');
    const page = await app.inject({ url: '/ui/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /shoal console/);
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'.*connect-src 'self'/);
    assert.equal(page.headers['cache-control'], 'no-cache');
    const asset = await app.inject({ url: '/ui/assets/app.js' });
    assert.equal(asset.statusCode, 200);
    assert.match(String(asset.headers['content-type']), /^text\/javascript/);
    assert.match(String(asset.headers['cache-control']), /immutable/);
    assert.equal((await app.inject({ url: '/ui/assets/missing.js' })).statusCode, 404);
  } finally {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('the console files open no hole in the API: /v1 still needs the token, and /ui/.. cannot climb out', async () => {
  const root = builtConsole();
  const { app } = setup();
  registerConsole(app, { root });
  try {
    assert.equal((await app.inject({ url: '/v1/nodes' })).statusCode, 401);
    assert.equal((await app.inject({ url: '/v1/nodes', headers: auth })).statusCode, 200);
    assert.equal((await app.inject({ url: '/ui/../v1/nodes' })).statusCode, 401);
    const climb = await app.inject({ url: '/ui/%2e%2e/%2e%2e/etc/passwd' });
    assert.notEqual(climb.statusCode, 200);
    assert.doesNotMatch(climb.body, /root:/);
    // A raw client sends dot segments as they are (fetch and inject would normalize them away).
    const base = await listen(app);
    for (const path of ['/ui/../v1/nodes', '/ui/%2e%2e/v1/nodes']) {
      const raw = await rawGet(base, path);
      assert.notEqual(raw.status, 200, path);
      assert.doesNotMatch(raw.body, /"id"/, path);
    }
  } finally {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('an agent whose console was not built says how to build it', async () => {
  const { app } = setup();
  registerConsole(app, { root: join(tmpdir(), 'shoal-no-console-here') });
  try {
    const res = await app.inject({ url: '/ui/' });
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /npm run build/);
  } finally {
    await app.close();
  }
});

function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('/v1/session names the token and its role; without token roles the node token has full rights', async () => {
  const { app } = setup();
  try {
    assert.equal((await app.inject({ url: '/v1/session' })).statusCode, 401);
    const res = await app.inject({ url: '/v1/session', headers: auth });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { name: 'node', role: 'admin' });
  } finally {
    await app.close();
  }
});
