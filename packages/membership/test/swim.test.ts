import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '@shoal/testkit';
import { DownConfirmer, RttEstimator, Swim, validateSwimMessage, suspicionTimeoutMs, type MemberEvent, type Outbound, type SwimMessage } from '../src/index.js';

/** A tiny deterministic network: fixed 1 ms latency, optional drops, a shared clock stepped in 5 ms ticks. */
class Net {
  now = 0;
  readonly nodes = new Map<string, Swim>();
  readonly down = new Set<string>();
  readonly events: (MemberEvent & { at: string })[] = [];
  readonly received = new Map<string, number>();
  private inflight: { at: number; from: string; out: Outbound }[] = [];
  private readonly rng = seededRandom(1);

  private readonly latencyMs: number;

  constructor(n: number, opts: { sign?: boolean; joinGraceMs?: number; latencyMs?: number } = {}) {
    this.latencyMs = opts.latencyMs ?? 1;
    const ids = Array.from({ length: n }, (_, i) => `n${i}`);
    for (const id of ids) {
      const s = new Swim({
        selfId: id,
        incarnation: 1,
        now: () => this.now,
        rng: this.rng,
        config: { joinGraceMs: opts.joinGraceMs ?? 0 },
        ...(opts.sign ? { sign: (u) => `sig:${u.from}`, verify: (u) => u.sig === `sig:${u.from}` } : {}),
      });
      for (const other of ids) s.add(other, 1);
      s.takeEvents();
      this.nodes.set(id, s);
    }
  }

  send(from: string, out: Outbound[]): void {
    for (const o of out) this.inflight.push({ at: this.now + this.latencyMs, from, out: o });
  }

  run(ms: number, drop: (from: string, to: string, m: SwimMessage) => boolean = () => false): void {
    const end = this.now + ms;
    while (this.now < end) {
      this.now += 5;
      const due = this.inflight.filter((m) => m.at <= this.now);
      this.inflight = this.inflight.filter((m) => m.at > this.now);
      for (const { from, out } of due) {
        if (this.down.has(out.to) || drop(from, out.to, out.msg)) continue;
        this.received.set(out.to, (this.received.get(out.to) ?? 0) + 1);
        this.send(out.to, this.nodes.get(out.to)!.receive(from, out.msg));
      }
      for (const [id, s] of this.nodes) {
        if (this.down.has(id)) continue;
        this.send(id, s.tick());
        for (const e of s.takeEvents()) this.events.push({ ...e, at: id });
      }
    }
  }

  live(): [string, Swim][] {
    return [...this.nodes].filter(([id]) => !this.down.has(id));
  }
}

test('a killed node is suspected, then dead at every live node within 2 s; nobody else is', () => {
  const net = new Net(12);
  net.run(2_000);
  net.down.add('n5');
  net.run(2_000);
  for (const [, s] of net.live()) assert.equal(s.status('n5'), 'dead');
  assert.deepEqual(net.events.filter((e) => e.to === 'dead' && e.nodeId !== 'n5'), []);
});

test('a member that was just added is not suspected during the join grace', () => {
  const net = new Net(6, { joinGraceMs: 3_000 });
  net.down.add('n5');
  net.run(2_500);
  assert.deepEqual(net.events.filter((e) => e.nodeId === 'n5' && e.to !== 'alive'), []);
  net.run(3_000);
  for (const [, s] of net.live()) assert.equal(s.status('n5'), 'dead');
});

test('a node cut off for a moment refutes the suspicion with a higher incarnation and stays alive', () => {
  const net = new Net(8);
  net.run(1_000);
  // n3 hears nothing for 600 ms: probes of it fail and it is suspected, then it hears the news and refutes.
  const until = net.now + 600;
  net.run(600, (_from, to) => to === 'n3' && net.now < until);
  net.run(3_000);
  const n3 = net.nodes.get('n3')!;
  assert.ok(n3.incarnation > 1, 'n3 raised its incarnation');
  assert.ok(net.events.some((e) => e.nodeId === 'n3' && e.to === 'suspect'), 'n3 was suspected');
  for (const [id, s] of net.live()) if (id !== 'n3') assert.equal(s.status('n3'), 'alive', `${id} sees n3 alive`);
  assert.ok(!net.events.some((e) => e.nodeId === 'n3' && e.to === 'dead'));
});

test('updates with a bad signature are dropped; an alive claim for someone else is ignored', () => {
  const net = new Net(4, { sign: true });
  net.run(500);
  const n0 = net.nodes.get('n0')!;
  n0.receive('n1', { type: 'gossip', updates: [{ status: 'dead', node: 'n2', incarnation: 5, from: 'n1', sig: 'forged' }] });
  assert.equal(n0.status('n2'), 'alive');
  assert.equal(n0.stats.badSignature, 1);
  n0.receive('n1', { type: 'gossip', updates: [{ status: 'suspect', node: 'n2', incarnation: 5, from: 'n1', sig: 'sig:n1' }] });
  assert.equal(n0.status('n2'), 'suspect');
  n0.receive('n1', { type: 'gossip', updates: [{ status: 'alive', node: 'n2', incarnation: 9, from: 'n1', sig: 'sig:n1' }] });
  assert.equal(n0.status('n2'), 'suspect', 'only n2 can vouch for n2');
  n0.receive('n2', { type: 'gossip', updates: [{ status: 'alive', node: 'n2', incarnation: 6, from: 'n2', sig: 'sig:n2' }] });
  assert.equal(n0.status('n2'), 'alive');
});

test('messages beyond the per-sender rate are dropped, and strangers are not listened to', () => {
  let now = 0;
  const s = new Swim({ selfId: 'a', incarnation: 1, now: () => now, rng: () => 0.5, config: { ratePerSec: 10, rateBurst: 5 } });
  s.add('b');
  assert.ok(s.has('b') && !s.has('mallory'));
  let acks = 0;
  for (let i = 0; i < 20; i++) acks += s.receive('b', { type: 'ping', seq: i, updates: [] }).length;
  assert.equal(acks, 5);
  assert.equal(s.stats.rateLimited, 15);
  now += 1_000;
  assert.equal(s.receive('b', { type: 'ping', seq: 99, updates: [] }).length, 1, 'the bucket refills');
  assert.deepEqual(s.receive('mallory', { type: 'ping', seq: 1, updates: [] }), []);
});

test('per-node messages stay flat from 10 to 80 nodes', () => {
  const rate = (n: number) => {
    const net = new Net(n);
    net.run(1_000);
    const before = new Map(net.received);
    net.run(4_000);
    const total = [...net.received].reduce((a, [id, c]) => a + c - (before.get(id) ?? 0), 0);
    return total / n / 4;
  };
  const small = rate(10);
  const large = rate(80);
  assert.ok(large < small * 1.5, `per node per second: ${small.toFixed(1)} at 10 nodes, ${large.toFixed(1)} at 80`);
});

test('the leader checks before it commits down, and a check answered cancels', () => {
  let now = 0;
  const c = new DownConfirmer(() => now);
  assert.deepEqual(c.onEvent({ nodeId: 'x', from: 'alive', to: 'suspect', incarnation: 1 }), [{ kind: 'check', nodeId: 'x' }]);
  now = 200;
  assert.deepEqual(c.onCheck({ nodeId: 'x', reachable: false }), [], 'not dead yet: nothing to commit');
  now = 900;
  assert.deepEqual(c.onEvent({ nodeId: 'x', from: 'suspect', to: 'dead', incarnation: 1 }), [{ kind: 'commit-down', nodeId: 'x' }]);
  assert.deepEqual(c.onEvent({ nodeId: 'y', from: 'suspect', to: 'dead', incarnation: 1 }), [{ kind: 'check', nodeId: 'y' }]);
  assert.deepEqual(c.onCheck({ nodeId: 'y', reachable: true }), []);
  assert.deepEqual(c.onEvent({ nodeId: 'z', from: 'suspect', to: 'dead', incarnation: 1 }), [{ kind: 'check', nodeId: 'z' }]);
  assert.deepEqual(c.onCheck({ nodeId: 'z', reachable: false }), [{ kind: 'commit-down', nodeId: 'z' }]);
});

test('Swim.check reports a reachable and an unreachable member', () => {
  const net = new Net(5);
  net.run(500);
  net.down.add('n4');
  const n0 = net.nodes.get('n0')!;
  net.send('n0', n0.check('n1'));
  net.send('n0', n0.check('n4'));
  net.run(400);
  const results = n0.takeCheckResults();
  assert.deepEqual(results.find((r) => r.nodeId === 'n1'), { nodeId: 'n1', reachable: true });
  assert.deepEqual(results.find((r) => r.nodeId === 'n4'), { nodeId: 'n4', reachable: false });
});

test('malformed messages are BAD_MESSAGE', () => {
  for (const bad of [null, 1, {}, { type: 'ping' }, { type: 'ping', seq: -1, updates: [] }, { type: 'gossip', updates: [{ status: 'zombie', node: 'a', incarnation: 1, from: 'a' }] }, { type: 'gossip', updates: new Array(100).fill({ status: 'alive', node: 'a', incarnation: 1, from: 'a' }) }]) {
    assert.throws(() => validateSwimMessage(bad), (e: Error & { code?: string }) => e.code === 'BAD_MESSAGE');
  }
  assert.deepEqual(validateSwimMessage({ type: 'ack', seq: 3, updates: [], extra: 1 }), { type: 'ack', seq: 3, updates: [] });
});

test('the suspicion timeout falls from max to min as confirmations arrive', () => {
  assert.equal(suspicionTimeoutMs(1000, 3000, 0, 3), 3000);
  assert.equal(suspicionTimeoutMs(1000, 3000, 3, 3), 1000);
  const one = suspicionTimeoutMs(1000, 3000, 1, 3);
  assert.ok(one < 3000 && one > 1000);
});

test('the ack timeout follows measured round trips within its floor and ceiling', () => {
  const rtt = new RttEstimator(100, 1000);
  assert.equal(rtt.timeoutMs(), 100, 'the floor until a round trip was measured');
  for (let i = 0; i < 20; i++) rtt.observe(5);
  assert.equal(rtt.timeoutMs(), 100, 'fast acks: never below the floor');
  for (let i = 0; i < 20; i++) rtt.observe(400);
  assert.ok(rtt.timeoutMs() >= 400 && rtt.timeoutMs() <= 1000, `slow acks stretch it: ${rtt.timeoutMs()}`);
  for (let i = 0; i < 20; i++) rtt.observe(5_000);
  assert.equal(rtt.timeoutMs(), 1000, 'capped');
  for (let i = 0; i < 60; i++) rtt.observe(5);
  assert.equal(rtt.timeoutMs(), 100, 'back to the floor once the load passed');
});

test('slow acks (400 ms round trips, 4x the timeout floor) raise no suspicion once measured; a kill is still found', () => {
  const net = new Net(6, { latencyMs: 200 });
  net.run(10_000);
  const warm = net.events.length;
  net.run(30_000);
  assert.deepEqual(net.events.slice(warm).filter((e) => e.to !== 'alive'), [], 'no suspicion of a healthy member');
  net.down.add('n3');
  net.run(8_000);
  for (const [, s] of net.live()) assert.equal(s.status('n3'), 'dead');
  assert.deepEqual(net.events.slice(warm).filter((e) => e.to === 'dead' && e.nodeId !== 'n3'), []);
});
