import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HealthMonitor } from '../src/health-monitor.js';

test('health: starting, healthy on success, unhealthy after `retries` consecutive failures', () => {
  let now = 0;
  const m = new HealthMonitor({ test: ['CMD', 'x'], retries: 2 }, async () => ({ ok: true, output: '' }), 0, () => now);
  assert.equal(m.health, 'starting');
  m.record({ ok: true, output: '' });
  assert.equal(m.health, 'healthy');
  m.record({ ok: false, output: 'boom' });
  assert.equal(m.health, 'healthy');
  m.record({ ok: true, output: '' });
  m.record({ ok: false, output: 'boom' });
  m.record({ ok: false, output: 'boom 2' });
  assert.equal(m.health, 'unhealthy');
  assert.equal(m.lastFailure, 'boom 2');
  now = 1;
});

test('health: failures within the start period do not count', () => {
  let now = 0;
  const m = new HealthMonitor({ test: ['CMD', 'x'], retries: 1, startPeriodMs: 1000 }, async () => ({ ok: true, output: '' }), 0, () => now);
  now = 999;
  m.record({ ok: false, output: 'not yet' });
  assert.equal(m.health, 'starting');
  now = 1000;
  m.record({ ok: false, output: 'down' });
  assert.equal(m.health, 'unhealthy');
});
