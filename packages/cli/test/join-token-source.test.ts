import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJoinToken } from '../src/join-token-source.js';

const TOKEN = 'SHOAL-1-abcdefghijklmnopqrstuvwxyz';

test('the join token comes from a file, stdin or the environment, without a warning', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'shoal-jt-')), 'join.token');
  writeFileSync(file, `${TOKEN}\n`, { mode: 0o600 });
  const warnings: string[] = [];
  const warn = (l: string) => warnings.push(l);
  assert.equal(readJoinToken({ joinTokenFile: file }, {}, warn), TOKEN);
  assert.equal(readJoinToken({ joinTokenFile: '-' }, {}, warn, () => `  ${TOKEN}\n`), TOKEN);
  assert.equal(readJoinToken({}, { SHOAL_JOIN_TOKEN: TOKEN }, warn), TOKEN);
  assert.equal(readJoinToken({}, {}, warn), undefined);
  assert.deepEqual(warnings, []);
});

test('--token still works but warns that the process list shows it', () => {
  const warnings: string[] = [];
  assert.equal(readJoinToken({ token: TOKEN }, { SHOAL_JOIN_TOKEN: 'ignored' }, (l) => warnings.push(l)), TOKEN);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /\/proc\/PID\/cmdline/);
});

test('a missing, empty or doubly given token is a clear error', () => {
  const warn = () => undefined;
  assert.throws(() => readJoinToken({ joinTokenFile: '/nonexistent/join.token' }, {}, warn), /cannot read the join token from \/nonexistent\/join\.token/);
  assert.throws(() => readJoinToken({ joinTokenFile: '-' }, {}, warn, () => '\n'), /the join token from standard input is empty/);
  assert.throws(() => readJoinToken({ token: TOKEN, joinTokenFile: '-' }, {}, warn), /give the join token once/);
});
