import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeLiveness, type LivenessEvent, type NodeLivenessOptions } from '../src/index.js';
import { sampleHeartbeat } from './fixtures.js';

/** A liveness view driven by a fake clock; heartbeats every 500 ms, ticks every 100 ms. */
function harness(opts: Partial<NodeLivenessOptions> = {}) {
  let now = 1_000_000;
  const live = new NodeLiveness({ selfId: 'self', now: () => now, ...opts });
  const events: (LivenessEvent & { at: number })[] = [];
  const seqs = new Map<string, { inc: number; seq: number }>();
  const h = {
    live,
    events,
    jump(ms: number) {
      now += ms;
    },
    get now() {
      return now;
    },
    send(nodeId: string, inc?: number) {
      const s = seqs.get(nodeId) ?? { inc: 1, seq: 0 };
      if (inc !== undefined && inc !== s.inc) Object.assign(s, { inc, seq: 0 });
      s.seq++;
      seqs.set(nodeId, s);
      return live.observe(sampleHeartbeat({ nodeId, incarnation: s.inc, seq: s.seq }));
    },
    /** Advances time in 100 ms ticks; `senders` heartbeat every 500 ms; `probe` answers probes. */
    run(ms: number, senders: string[], probe?: (id: string) => boolean | undefined) {
      for (let t = 0; t < ms; t += 100) {
        now += 100;
        if (now % 500 === 0) for (const s of senders) h.send(s);
        if (probe) for (const id of live.toProbe()) {
          const r = probe(id);
          if (r !== undefined) live.confirm(id, r);
        }
        for (const e of live.tick()) events.push({ ...e, at: now });
      }
    },
  };
  return h;
}

test('a new peer is announced alive and regular heartbeats raise no event', () => {
  const h = harness();
  h.run(60_000, ['a', 'b']);
  assert.deepEqual(
    h.events.map((e) => [e.nodeId, e.from, e.to]),
    [
      ['a', 'unknown', 'alive'],
      ['b', 'unknown', 'alive'],
    ],
  );
  assert.equal(h.live.state('a'), 'alive');
  assert.equal(h.live.peers().length, 2);
});

test('own heartbeats and replays are not counted', () => {
  const h = harness();
  assert.equal(h.live.observe(sampleHeartbeat({ nodeId: 'self' })), 'self');
  assert.equal(h.live.observe(sampleHeartbeat({ nodeId: 'a', seq: 5 })), 'accepted');
  assert.equal(h.live.observe(sampleHeartbeat({ nodeId: 'a', seq: 5 })), 'stale');
  assert.equal(h.live.observe(sampleHeartbeat({ nodeId: 'a', seq: 4 })), 'stale');
  assert.equal(h.live.observe(sampleHeartbeat({ nodeId: 'a', seq: 6 })), 'accepted');
});

test('silence makes a peer suspect, but never down without a confirmation', () => {
  const h = harness();
  h.run(10_000, ['a']);
  const silentFrom = h.now;
  h.run(30_000, [], () => undefined);
  const a = h.events.filter((e) => e.nodeId === 'a' && e.from !== 'unknown');
  assert.deepEqual(a.map((e) => e.to), ['suspect']);
  assert.ok(a[0].at - silentFrom <= 1200, `suspect after ${a[0].at - silentFrom} ms`);
  assert.deepEqual(h.live.toProbe(), ['a']);
});

test('a suspect confirmed unreachable goes down within 1.5 s of its last heartbeat', () => {
  const h = harness();
  h.run(10_000, ['a', 'b']);
  const lastHeartbeat = h.now;
  h.run(3000, ['b'], (id) => (id === 'a' ? false : true));
  const down = h.events.find((e) => e.nodeId === 'a' && e.to === 'down');
  assert.ok(down, 'a is down');
  assert.ok(down.at - lastHeartbeat <= 1500, `down after ${down.at - lastHeartbeat} ms`);
  assert.equal(h.live.state('b'), 'alive');
  assert.deepEqual(h.live.toProbe(), []);
});

test('a suspect that answers a ping is alive again, and a late heartbeat clears suspicion', () => {
  const h = harness();
  h.run(5000, ['a']);
  h.run(1500, [], () => true);
  assert.deepEqual(h.events.slice(1).map((e) => [e.from, e.to]), [['alive', 'suspect'], ['suspect', 'alive']]);
  h.run(1500, []);
  assert.equal(h.live.state('a'), 'suspect');
  assert.equal(h.send('a'), 'accepted');
  assert.equal(h.live.state('a'), 'alive');
});

test('GC pauses of a few hundred ms on the sender raise no event at all', () => {
  const h = harness();
  h.run(5000, ['a']);
  const pauses = new Map([[10, 300], [20, 400], [30, 250], [40, 450], [41, 400]]);
  let next = h.now;
  for (let i = 0; i < 60; i++) {
    next += 500 + (pauses.get(i) ?? 0);
    while (h.now < next) h.run(100, []);
    h.send('a');
  }
  assert.deepEqual(h.events.filter((e) => e.from !== 'unknown'), []);
});

test('a down node comes back only by refuting with a higher incarnation', () => {
  const h = harness();
  h.run(5000, ['a']);
  h.run(3000, [], () => false);
  assert.equal(h.live.state('a'), 'down');
  assert.equal(h.send('a'), 'stale', 'same life, still down');
  assert.equal(h.live.state('a'), 'down');
  assert.equal(h.send('a', 2), 'refuted');
  assert.equal(h.live.state('a'), 'alive');
  h.run(10_000, ['a']);
  assert.equal(h.live.state('a'), 'alive', 'the new life starts with a fresh detector');
  const last = h.events.at(-1)!;
  assert.deepEqual([last.from, last.to, last.incarnation], ['down', 'alive', 2]);
});

test('a stalled local tick loop escalates nothing and discards confirmations', () => {
  const h = harness();
  h.run(5000, ['a', 'b']);
  h.run(1100, ['b']);
  assert.equal(h.live.state('a'), 'suspect');
  // Our process freezes for 2 s; a probe timeout fires late and reports "unreachable".
  h.jump(2000);
  h.live.confirm('a', false);
  assert.deepEqual(h.live.tick(), [], 'b is not suspected for our own stall, a is not declared down');
  assert.deepEqual(h.live.toProbe(), ['a'], 'a must be probed again');
  h.send('a');
  h.send('b');
  assert.equal(h.live.state('a'), 'alive');
});

test('a tracked node that never speaks is suspected and can be declared down', () => {
  const h = harness();
  h.live.track('ghost');
  h.run(3000, [], () => false);
  assert.equal(h.live.state('ghost'), 'down');
  h.live.forget('ghost');
  assert.equal(h.live.state('ghost'), undefined);
});
