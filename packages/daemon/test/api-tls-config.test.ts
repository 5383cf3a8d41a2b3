import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiUsesTls, resolveConfig } from '../src/config.js';
import { apiHostsOf } from '../src/tls/api-tls.js';

test('the API serves TLS off loopback unless --insecure-api, and on loopback only with --api-tls', () => {
  const tls = (apiListen: string, more: { apiTls?: boolean; insecureApi?: boolean } = {}) => apiUsesTls(resolveConfig({ apiListen, ...more }, {}));
  assert.equal(tls('127.0.0.1:7070'), false);
  assert.equal(tls('[::1]:7070'), false);
  assert.equal(tls('localhost:7070'), false);
  assert.equal(tls('0.0.0.0:7070'), true);
  assert.equal(tls('10.0.0.5:7070'), true);
  assert.equal(tls('0.0.0.0:7070', { insecureApi: true }), false);
  assert.equal(tls('127.0.0.1:7070', { apiTls: true }), true);
  assert.throws(() => resolveConfig({ apiTls: true, insecureApi: true }, {}), /either --api-tls or --insecure-api/);
  assert.equal(apiUsesTls(resolveConfig({}, { SHOAL_API_LISTEN: '0.0.0.0:7070', SHOAL_INSECURE_API: '1' })), false);
});

test('a node certificate names the node\'s own p2p and API hosts and loopback, never the unspecified address', () => {
  const hosts = apiHostsOf({ addresses: ['/ip4/10.0.0.2/tcp/7946/p2p/12D3', '/ip4/0.0.0.0/tcp/7946', '/dns4/m2.example/tcp/7946'], apiAddress: '0.0.0.0:7070' });
  assert.deepEqual(hosts.sort(), ['10.0.0.2', '127.0.0.1', '::1', 'localhost', 'm2.example'].sort());
  assert.ok(apiHostsOf({ addresses: [], apiAddress: '192.168.1.9:7070' }).includes('192.168.1.9'));
});
