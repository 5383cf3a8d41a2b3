import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../src/config.js';

const badConfig = (fn: () => unknown, setting: string) =>
  assert.throws(fn, (err: Error & { code?: string; details?: { setting?: string } }) => err.code === 'BAD_CONFIG' && err.details?.setting === setting && err.message.includes(setting));

test('defaults bind to loopback and take no cluster action', () => {
  const cfg = resolveConfig({}, {});
  assert.equal(cfg.apiListen, '127.0.0.1:7070');
  assert.equal(cfg.p2pListen, '127.0.0.1:7946');
  assert.equal(cfg.init, false);
  assert.equal(cfg.join, undefined);
  assert.equal(cfg.drivers, undefined);
});

test('flags override env, env overrides the config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-cfg-'));
  const file = join(dir, 'shoal.yaml');
  writeFileSync(file, 'name: from-file\nlabels: { zone: a }\napiListen: 127.0.0.1:9000\n');
  const cfg = resolveConfig({ config: file, apiListen: '127.0.0.1:9100' }, { SHOAL_NAME: 'from-env' });
  assert.equal(cfg.name, 'from-env');
  assert.equal(cfg.apiListen, '127.0.0.1:9100');
  assert.deepEqual(cfg.labels, { zone: 'a' });
});

test('labels and driver flags are parsed', () => {
  const cfg = resolveConfig({ labels: ['zone=a', 'disk=ssd'], driver: 'exec' }, {});
  assert.deepEqual(cfg.labels, { zone: 'a', disk: 'ssd' });
  assert.deepEqual(cfg.drivers, ['exec']);
});

test('bad settings are reported by name, with how to fix them', () => {
  badConfig(() => resolveConfig({ p2pListen: 'nonsense' }, {}), 'p2p-listen');
  badConfig(() => resolveConfig({ apiListen: '127.0.0.1:99999' }, {}), 'api-listen');
  badConfig(() => resolveConfig({ driver: 'podman' }, {}), 'driver');
  badConfig(() => resolveConfig({ labels: ['novalue'] }, {}), 'label');
  badConfig(() => resolveConfig({ voters: 4 }, {}), 'voters');
  badConfig(() => resolveConfig({ init: true, join: { addr: '127.0.0.1:1', token: 't' } }, {}), 'init');
  badConfig(() => resolveConfig({ name: 'bad name!' }, {}), 'name');
  badConfig(() => resolveConfig({ snapshotEvery: 5 }, {}), 'snapshot-every');
});

test('the Raft snapshot interval defaults to 10,000 entries and can be set', () => {
  assert.equal(resolveConfig({}, {}).snapshotEvery, 10_000);
  assert.equal(resolveConfig({ snapshotEvery: 500 }, {}).snapshotEvery, 500);
});

test('a config file that is unreadable, not a mapping, or has unknown keys is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-cfg-'));
  badConfig(() => resolveConfig({ config: join(dir, 'missing.yaml') }, {}), 'config');
  const list = join(dir, 'list.yaml');
  writeFileSync(list, '- a\n- b\n');
  badConfig(() => resolveConfig({ config: list }, {}), 'config');
  const unknown = join(dir, 'unknown.yaml');
  writeFileSync(unknown, 'nmae: typo\n');
  badConfig(() => resolveConfig({ config: unknown }, {}), 'nmae');
});
