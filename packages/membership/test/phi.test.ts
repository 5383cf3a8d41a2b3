import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhiAccrualDetector, phiOf } from '../src/index.js';

test('phi grows with silence and is monotonic', () => {
  let prev = -1;
  for (let t = 0; t <= 5000; t += 50) {
    const phi = phiOf(t, 700, 100);
    assert.ok(phi >= prev, `phi must not decrease at ${t}`);
    prev = phi;
  }
  assert.ok(phiOf(700, 700, 100) < 0.5);
  assert.ok(phiOf(5000, 700, 100) > 100, 'keeps growing instead of saturating');
  assert.ok(Number.isFinite(phiOf(1e9, 700, 100)));
});

test('regular heartbeats keep phi low; the acceptable pause costs nothing', () => {
  const d = new PhiAccrualDetector({ expectedIntervalMs: 500, acceptablePauseMs: 200, minStdDevMs: 100 });
  let t = 0;
  for (let i = 0; i < 50; i++) d.heartbeat((t += 500));
  assert.ok(Math.abs(d.mean() - 500) < 20);
  assert.ok(d.phi(t + 500) < 0.3);
  assert.ok(d.phi(t + 700) < 0.5, 'a 200 ms late heartbeat is not suspicious');
  assert.ok(d.phi(t + 1100) > 3);
  assert.ok(d.phi(t + 1300) > 8);
});

test('bursty arrivals widen the tolerance instead of tightening it', () => {
  const steady = new PhiAccrualDetector();
  const jittery = new PhiAccrualDetector();
  let a = 0;
  let b = 0;
  for (let i = 0; i < 60; i++) {
    steady.heartbeat((a += 500));
    jittery.heartbeat((b += i % 2 ? 200 : 800));
  }
  assert.ok(jittery.phi(b + 1200) < steady.phi(a + 1200));
});

test('samples shorter than minSampleMs are ignored', () => {
  const d = new PhiAccrualDetector({ minSampleMs: 50 });
  let t = 0;
  for (let i = 0; i < 20; i++) {
    d.heartbeat((t += 500));
    d.heartbeat((t += 1));
  }
  assert.ok(d.mean() > 450);
});
