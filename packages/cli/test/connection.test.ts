import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConnection } from '../src/connection.js';

const dir = mkdtempSync(join(tmpdir(), 'shoal-cli-'));
writeFileSync(join(dir, 'api.token'), 'from-data-dir\n');
writeFileSync(join(dir, 'token.txt'), 'from-file\n');

test('host: flag over SHOAL_HOST over the default; a bare host:port gets http://', () => {
  assert.equal(resolveConnection({}, {}).baseUrl, 'http://127.0.0.1:7070');
  assert.equal(resolveConnection({}, { SHOAL_HOST: '10.0.0.5:7070' }).baseUrl, 'http://10.0.0.5:7070');
  assert.equal(resolveConnection({ host: 'http://h:1/' }, { SHOAL_HOST: 'x:2' }).baseUrl, 'http://h:1');
  assert.throws(() => resolveConnection({ host: 'http://' }, {}), { code: 'BAD_CONFIG' });
});

test('token: SHOAL_TOKEN, then --token-file, then <data dir>/api.token', () => {
  assert.equal(resolveConnection({ tokenFile: join(dir, 'token.txt'), dataDir: dir }, { SHOAL_TOKEN: 'env' }).token, 'env');
  assert.equal(resolveConnection({ tokenFile: join(dir, 'token.txt'), dataDir: dir }, {}).token, 'from-file');
  assert.equal(resolveConnection({ dataDir: dir }, {}).token, 'from-data-dir');
  assert.equal(resolveConnection({}, { SHOAL_DATA_DIR: dir }).token, 'from-data-dir');
});

test('a missing explicit token file or data dir is an error', () => {
  assert.throws(() => resolveConnection({ tokenFile: join(dir, 'nope') }, {}), { code: 'BAD_CONFIG', message: /cannot read the API token from .*nope/ });
  assert.throws(() => resolveConnection({ dataDir: join(dir, 'nope') }, {}), { code: 'BAD_CONFIG' });
});
