import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDir } from '../src/data-dir.js';
import type { PermissionFs } from '../src/data-dir-permissions.js';

const mode = (p: string) => statSync(p).mode & 0o777;

test('every start makes the data dir private again: 0700 directories, 0600 files, links left alone', () => {
  const root = mkdtempSync(join(tmpdir(), 'shoal-perm-'));
  const dir = join(root, 'data');
  mkdirSync(join(dir, 'raft'), { recursive: true, mode: 0o755 });
  mkdirSync(join(dir, 'tasks', 't1'), { recursive: true, mode: 0o777 });
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'cluster.json'), '{}', { mode: 0o644 });
  writeFileSync(join(dir, 'raft', '000005.ldb'), 'x', { mode: 0o664 });
  writeFileSync(join(dir, 'tasks', 't1', 'state.json'), '{"env":"SECRET"}', { mode: 0o666 });
  const outside = join(root, 'outside.txt');
  writeFileSync(outside, 'not ours', { mode: 0o644 });
  symlinkSync(outside, join(dir, 'link'));

  const { changed } = new DataDir(dir).ensure();
  assert.equal(changed, 7);
  assert.equal(mode(dir), 0o700);
  assert.equal(mode(join(dir, 'raft')), 0o700);
  assert.equal(mode(join(dir, 'tasks', 't1')), 0o700);
  assert.equal(mode(join(dir, 'cluster.json')), 0o600);
  assert.equal(mode(join(dir, 'raft', '000005.ldb')), 0o600);
  assert.equal(mode(join(dir, 'tasks', 't1', 'state.json')), 0o600);
  assert.equal(mode(outside), 0o644, 'a symlink is not followed out of the data dir');
  assert.ok(lstatSync(join(dir, 'link')).isSymbolicLink());
  // Already private: nothing to change the next time.
  assert.equal(new DataDir(dir).ensure().changed, 0);
});

test('a data dir that cannot be made private refuses the start with the command that fixes it', () => {
  const dir = mkdtempSync(join(tmpdir(), "shoal-perm-it's-"));
  writeFileSync(join(dir, 'api.token'), 'tok', { mode: 0o644 });
  // Root may chmod anything: play a file owned by another user with an injected chmod.
  const fs: PermissionFs = {
    lstat: (p) => lstatSync(p),
    readdir: (p) => readdirSync(p),
    chmod: (p, m) => {
      if (p.endsWith('api.token')) throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
      chmodSync(p, m);
    },
  };
  assert.throws(
    () => new DataDir(dir).ensure(fs),
    (err: Error & { code?: string; details?: { fix?: string } }) => {
      assert.equal(err.code, 'BAD_CONFIG');
      assert.match(err.message, /api\.token cannot be made so \(EPERM\)/);
      assert.ok(err.message.includes(`fix it with: chmod -R u+rwX,go-rwx '${dir.replace("'", `'\\''`)}'`), err.message);
      assert.equal(err.details?.fix, `chmod -R u+rwX,go-rwx '${dir.replace("'", `'\\''`)}'`);
      return true;
    },
  );
});
