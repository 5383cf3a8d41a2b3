import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PRESSURE, PressureTracker, decodeHeartbeat, encodeHeartbeat, pressureBand, sampleLevel, type PressureSample } from '../src/index.js';
import { sampleHeartbeat } from './fixtures.js';

const calm: PressureSample = { memorySome10: 0, cpuSome10: 5, memoryAvailablePercent: 60 };
const hog: PressureSample = { memorySome10: 35, cpuSome10: 5, memoryAvailablePercent: 3 };
const band: PressureSample = { memorySome10: 8, cpuSome10: 5, memoryAvailablePercent: 20 };

describe('host pressure', () => {
  it('a sample alone: memory (PSI or little available) before cpu', () => {
    assert.equal(sampleLevel(calm), 'normal');
    assert.equal(sampleLevel(hog), 'memory');
    assert.equal(sampleLevel({ ...calm, memoryAvailablePercent: 4 }), 'memory');
    assert.equal(sampleLevel({ ...calm, cpuSome10: 95 }), 'cpu');
  });

  it('is declared only after the enter window, and left only after the longer exit window', () => {
    const p = new PressureTracker();
    let t = 0;
    assert.equal(p.observe('n1', hog, t), null);
    t += DEFAULT_PRESSURE.enterWindowMs - 1;
    assert.equal(p.observe('n1', hog, t), null, 'not before the window');
    t += 1;
    assert.equal(p.observe('n1', hog, t), 'memory');
    t += 1000;
    assert.equal(p.observe('n1', calm, t), null);
    t += DEFAULT_PRESSURE.exitWindowMs;
    assert.equal(p.observe('n1', calm, t), 'normal');
  });

  it('never flaps: samples in the hysteresis band keep the level, and a spike resets the enter window', () => {
    const p = new PressureTracker();
    let t = 0;
    let transitions = 0;
    // 40 s of a hog, then 10 minutes in which it eases into the band now and then.
    for (let i = 0; i < 40; i++, t += 1000) if (p.observe('n1', hog, t) !== null) transitions++;
    for (let i = 0; i < 600; i++, t += 1000) if (p.observe('n1', i % 7 === 0 ? band : hog, t) !== null) transitions++;
    assert.equal(transitions, 1, 'declared once, kept while in the band');
    for (let i = 0; i < 600; i++, t += 1000) if (p.observe('n1', i % 20 < 10 ? calm : band, t) !== null) transitions++;
    assert.equal(transitions, 1, 'band samples keep memory pressure');
    const q = new PressureTracker();
    let u = 0;
    let flips = 0;
    for (let i = 0; i < 600; i++, u += 1000) if (q.observe('n2', i % 20 < 10 ? hog : calm, u) !== null) flips++;
    assert.equal(flips, 0, 'bursts shorter than the enter window declare nothing');
  });

  it('starts from the committed level after a leader change', () => {
    const p = new PressureTracker();
    p.seed('n1', 'memory', 0);
    assert.equal(p.level('n1'), 'memory');
    assert.equal(p.observe('n1', hog, 1000), null);
  });

  it('travels in the heartbeat and a bad value is refused', () => {
    const hb = sampleHeartbeat({ pressure: hog });
    assert.deepEqual(decodeHeartbeat(encodeHeartbeat(hb)).pressure, hog);
    assert.equal(decodeHeartbeat(encodeHeartbeat(sampleHeartbeat())).pressure, undefined);
    const bad = new TextEncoder().encode(JSON.stringify({ ...hb, pressure: { ...hog, memorySome10: 1e9 } }));
    assert.throws(() => decodeHeartbeat(bad), /percentage/);
    const busy = { ...hog, cpuBusyPercent: 12.5 };
    assert.deepEqual(decodeHeartbeat(encodeHeartbeat(sampleHeartbeat({ pressure: busy }))).pressure, busy);
    const badBusy = new TextEncoder().encode(JSON.stringify({ ...hb, pressure: { ...hog, cpuBusyPercent: -1 } }));
    assert.throws(() => decodeHeartbeat(badBusy), /cpuBusyPercent must be a percentage/);
  });

  it('memory pressure is not relabelled cpu while memory is still inside its band (thrashing stalls the CPU too)', () => {
    const p = new PressureTracker();
    let t = 0;
    for (; t <= 40_000; t += 2000) p.observe('n', hog, t);
    assert.equal(p.level('n'), 'memory');
    // Memory eased a little (8 % available: above the 5 % enter line, below the 10 % exit line) while the CPU stalls.
    const thrashing: PressureSample = { memorySome10: 0, cpuSome10: 92, memoryAvailablePercent: 8 };
    for (; t <= 200_000; t += 2000) assert.equal(p.observe('n', thrashing, t), null, `at ${t}`);
    assert.equal(p.level('n'), 'memory');
    // Memory recovered for good while the CPU stays saturated: now it is cpu pressure.
    const cpuOnly: PressureSample = { memorySome10: 0, cpuSome10: 95, memoryAvailablePercent: 40 };
    let changed: string | null = null;
    for (; t <= 300_000 && !changed; t += 2000) changed = p.observe('n', cpuOnly, t);
    assert.equal(changed, 'cpu');
  });

  it('CPU stalls count only on busy CPUs: a task held back by its own CPU limit stalls on an idle node', () => {
    // One dd throttled at 0.05 of a core: PSI reads 91 % while the node's 2 cores are 3 % busy.
    const throttled: PressureSample = { memorySome10: 0, cpuSome10: 91, memoryAvailablePercent: 88, cpuBusyPercent: 3 };
    assert.equal(sampleLevel(throttled), 'normal');
    assert.equal(sampleLevel({ ...throttled, cpuBusyPercent: 95 }), 'cpu', 'the same stall on busy CPUs is contention');
    assert.equal(sampleLevel({ ...throttled, cpuBusyPercent: undefined }), 'cpu', 'without a busy figure PSI alone decides');
    const p = new PressureTracker();
    let t = 0;
    for (; t <= 300_000; t += 2000) assert.equal(p.observe('n', throttled, t), null, `at ${t}`);
    assert.equal(p.level('n'), 'normal');
    // Contended for real, then the CPUs ease to 60 % busy (inside the band: still cpu), then to 30 % (left).
    const contended: PressureSample = { ...throttled, cpuBusyPercent: 97 };
    for (; p.level('n') !== 'cpu'; t += 2000) p.observe('n', contended, t);
    for (const end = t + 200_000; t <= end; t += 2000) assert.equal(p.observe('n', { ...contended, cpuBusyPercent: 60 }, t), null);
    let changed: string | null = null;
    for (const end = t + 70_000; t <= end && !changed; t += 2000) changed = p.observe('n', { ...contended, cpuBusyPercent: 30 }, t);
    assert.equal(changed, 'normal');
    assert.notEqual(pressureBand({ ...contended, cpuBusyPercent: 60 }), pressureBand({ ...contended, cpuBusyPercent: 30 }), 'the busy share is part of the band');
  });

  it('a leader holding only the samples whose band changed decides exactly as one fed every sample', () => {
    // A random walk of PSI and available memory over 2 hours, a sample every 2 s.
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const clamp = (x: number) => Math.min(100, Math.max(0, x));
    let s: PressureSample = { memorySome10: 0, cpuSome10: 10, memoryAvailablePercent: 50, cpuBusyPercent: 50 };
    const every = new PressureTracker();
    const held = new PressureTracker();
    let sent: PressureSample = s;
    let bandSent = pressureBand(s);
    let messages = 0;
    const levels = new Set<string>();
    for (let t = 0; t < 2 * 3600_000; t += 2000) {
      s = { memorySome10: clamp(s.memorySome10 + (rnd() - 0.5) * 8), cpuSome10: clamp(s.cpuSome10 + (rnd() - 0.5) * 14), memoryAvailablePercent: clamp(s.memoryAvailablePercent + (rnd() - 0.5) * 6), cpuBusyPercent: clamp(s.cpuBusyPercent! + (rnd() - 0.5) * 12) };
      if (pressureBand(s) !== bandSent) {
        sent = s;
        bandSent = pressureBand(s);
        messages++;
      }
      const a = every.observe('n', s, t);
      const b = held.observe('n', sent, t);
      assert.equal(b, a, `at ${t} ms`);
      levels.add(every.level('n'));
    }
    // The walk went through pressure and back, with far fewer messages than samples.
    assert.ok(levels.size >= 2, [...levels].join());
    assert.ok(messages < 3600 / 4, `${messages} band changes in 3,600 samples`);
  });
});
