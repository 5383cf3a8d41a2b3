// RaftHost on simulated time: a manual scheduler, a network of queued deliveries and an
// in-memory disk whose writes complete later (RaftNode keeps stepping meanwhile) and that
// writes entries and hard state separately, so a crash can keep one without the other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfState, Entry, HardState, Message, NodeId, Snapshot } from '@shoal/raft';
import { RaftHost, type Completion, type HostScheduler, type LoadedState, type RaftStorage, type SaveRequest, type StateMachine } from '../src/index.js';
import { seededRandom } from '@shoal/testkit';

class ManualScheduler implements HostScheduler {
  now = 0;
  private seq = 0;
  private timers: { at: number; seq: number; fn: () => void; live: boolean }[] = [];
  every(ms: number, fn: () => void) {
    const again = (): void => {
      fn();
      cancel = this.after(ms, again);
    };
    let cancel = this.after(ms, again);
    return () => cancel();
  }
  after(ms: number, fn: () => void) {
    const t = { at: this.now + ms, seq: this.seq++, fn, live: true };
    this.timers.push(t);
    return () => {
      t.live = false;
    };
  }
  soon(fn: () => void): void {
    this.after(0, fn);
  }
  runUntil(t: number): void {
    for (;;) {
      this.timers = this.timers.filter((x) => x.live);
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > t) break;
      this.timers.shift();
      this.now = next.at;
      next.fn();
    }
    this.now = t;
  }
}

interface Image {
  hardState: HardState;
  entries: Entry[];
  snapshot: Snapshot | null;
}

/** A disk whose saves land after `latency` ms: entries first, then hard state, each its own write. */
class SlowDisk implements RaftStorage {
  durable: Image = { hardState: { term: 0, vote: null, commit: 0 }, entries: [], snapshot: null };
  /** Writes issued but not yet durable, in order. */
  private pending: ((img: Image) => void)[] = [];
  writing = 0;
  constructor(
    private readonly sched: ManualScheduler,
    private readonly conf: ConfState,
    private readonly latency: number,
  ) {}
  async load(): Promise<LoadedState> {
    return this.state();
  }
  state(): LoadedState {
    const d = this.durable;
    return { hardState: { ...d.hardState }, entries: d.entries.slice(), snapshot: d.snapshot, conf: this.conf, applied: d.snapshot?.meta.index ?? 0 };
  }
  async setBootstrapConf(): Promise<void> {}
  save(req: SaveRequest): Completion {
    const writes: ((img: Image) => void)[] = [];
    if (req.snapshot) writes.push((img) => Object.assign(img, { snapshot: req.snapshot, entries: [] }));
    if (req.entries.length > 0) {
      const ents = req.entries.slice();
      writes.push((img) => {
        img.entries = img.entries.filter((e) => e.index < ents[0]!.index).concat(ents);
      });
    }
    const hs = req.hardState;
    if (hs) writes.push((img) => (img.hardState = { ...hs }));
    this.pending.push(...writes);
    this.writing++;
    return this.later(writes);
  }
  compact(s: Snapshot): Completion {
    this.durable.snapshot = s;
    this.durable.entries = this.durable.entries.filter((e) => e.index > s.meta.index);
    return { onDone: (cb) => cb() };
  }
  /** Power loss: only the first `keep` pending writes made it. */
  crash(keep: number): void {
    for (const w of this.pending.slice(0, keep)) w(this.durable);
    this.pending = [];
  }
  private later(writes: ((img: Image) => void)[]): Completion {
    let done: ((err?: unknown) => void) | null = null;
    let settled = false;
    this.sched.after(this.latency, () => {
      if (!writes.every((w) => this.pending.includes(w))) return; // lost in a crash
      for (const w of writes) w(this.durable);
      this.pending = this.pending.filter((w) => !writes.includes(w));
      this.writing--;
      settled = true;
      done?.();
    });
    return { onDone: (cb) => (settled ? cb() : (done = cb)) };
  }
}

class ListFsm implements StateMachine {
  applied: string[] = [];
  apply(e: Entry): unknown {
    this.applied.push(new TextDecoder().decode(e.data));
    return this.applied.length;
  }
  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify(this.applied));
  }
  restore(data: Uint8Array): void {
    this.applied = JSON.parse(new TextDecoder().decode(data)) as string[];
  }
}

function cluster(seed: number) {
  const sched = new ManualScheduler();
  const ids = ['a', 'b', 'c'];
  const handlers = new Map<NodeId, (m: Message) => void>();
  const disks = new Map(ids.map((id) => [id, new SlowDisk(sched, { voters: ids, learners: [] }, 3)]));
  const hosts = new Map<NodeId, RaftHost>();
  const fsms = new Map<NodeId, ListFsm>();
  let steppedWhileWriting = 0;
  const random = seededRandom(seed);
  const start = (id: NodeId) => {
    const fsm = new ListFsm();
    const host = new RaftHost({
      id, storage: disks.get(id)!, fsm, scheduler: sched, random, tickMs: 10, electionTick: 10, heartbeatTick: 1, snapshotEvery: 25,
      transport: {
        send: (msgs) => { for (const m of msgs) sched.after(1, () => handlers.get(m.to)?.(m)); },
        onMessage: (h) => handlers.set(id, (m) => {
          if (disks.get(id)!.writing > 0) steppedWhileWriting++;
          h(m);
        }),
      },
    });
    host.startWith(disks.get(id)!.state());
    hosts.set(id, host);
    fsms.set(id, fsm);
  };
  for (const id of ids) start(id);
  const leader = () => [...hosts.entries()].find(([, h]) => h.status().role === 'leader')?.[0];
  return { sched, ids, disks, hosts, fsms, start, leader, steppedWhileWriting: () => steppedWhileWriting, handlers };
}

test('three hosts on simulated time elect, commit and apply while writes complete later', () => {
  const c = cluster(7);
  c.sched.runUntil(2000);
  const l = c.leader();
  assert.ok(l, 'a leader');
  const results: unknown[] = [];
  for (let i = 0; i < 40; i++) c.hosts.get(l)!.submit(new TextEncoder().encode(`v${i}`), {}, (err, v) => results.push(err ?? v));
  c.sched.runUntil(4000);
  assert.equal(results.length, 40);
  assert.ok(results.every((x) => typeof x === 'number'));
  for (const id of c.ids) assert.equal(c.fsms.get(id)!.applied.slice(-1)[0], 'v39', id);
  assert.ok(c.steppedWhileWriting() > 0, 'messages were stepped while a Ready was being written');
  assert.ok(c.disks.get(l)!.durable.snapshot !== null, 'the host compacted through the storage interface');
});

test('a leader that loses power between writing entries and hard state restarts, and no acknowledged write is lost', () => {
  const c = cluster(11);
  c.sched.runUntil(2000);
  const l = c.leader()!;
  const acked: string[] = [];
  for (let i = 0; i < 10; i++) c.hosts.get(l)!.submit(new TextEncoder().encode(`w${i}`), {}, (err) => { if (!err) acked.push(`w${i}`); });
  c.sched.runUntil(2100);
  // Mid-write: keep only the entries of the write in flight, not its hard state.
  c.hosts.get(l)!.submit(new TextEncoder().encode('in-flight'), {}, () => undefined);
  c.sched.runUntil(2101);
  c.hosts.get(l)!.halt();
  c.disks.get(l)!.crash(1);
  c.handlers.delete(l);
  c.sched.runUntil(3000);
  c.start(l);
  c.sched.runUntil(6000);
  const now = c.leader()!;
  c.hosts.get(now)!.submit(new TextEncoder().encode('after'), {}, () => undefined);
  c.sched.runUntil(8000);
  for (const id of c.ids) {
    const applied = c.fsms.get(id)!.applied;
    for (const w of acked) assert.ok(applied.includes(w), `${id} lost acknowledged ${w}`);
    assert.equal(applied.slice(-1)[0], 'after', id);
  }
  assert.equal(acked.length, 10);
});

test("a leader's snapshot stepped while a Ready is being written does not make the next compaction fail", () => {
  // Found by the simulator (seed 306): the host compacted at its applied index after the
  // snapshot had already replaced the log past it, RaftNode.compact threw and the host stopped.
  const sched = new ManualScheduler();
  const conf = { voters: ['a', 'b', 'c'], learners: [] };
  const disk = new SlowDisk(sched, conf, 3);
  const fsm = new ListFsm();
  let deliver: (m: Message) => void = () => undefined;
  const host = new RaftHost({
    id: 'c', storage: disk, fsm, scheduler: sched, random: () => 0.5, tickMs: 1000, electionTick: 10, heartbeatTick: 1, snapshotEvery: 5,
    transport: { send: () => undefined, onMessage: (h) => (deliver = h) },
  });
  let fatal: unknown = null;
  host.onFatal((err) => (fatal = err));
  host.startWith(disk.state());
  const ent = (index: number): Entry => ({ index, term: 1, type: 'normal', data: new TextEncoder().encode(`e${index}`) });
  const append = (from: number, to: number, commit: number): Message => ({
    type: 'append', from: 'a', to: 'c', term: 1, index: from - 1, logTerm: from > 1 ? 1 : 0, commit,
    entries: Array.from({ length: to - from + 1 }, (_, i) => ent(from + i)),
  });
  deliver(append(1, 6, 6));
  sched.runUntil(1); // the write of 1..6 is in flight
  deliver(append(7, 7, 6)); // the next Ready applies 1..6 (compaction due) and writes 7
  sched.runUntil(4); // first write done; the second (7, then apply 1..6) is in flight
  assert.ok(disk.writing > 0, 'a write is in flight');
  const data = new TextEncoder().encode(JSON.stringify(Array.from({ length: 10 }, (_, i) => `e${i + 1}`)));
  deliver({ type: 'snapshot', from: 'a', to: 'c', term: 1, snapshot: { meta: { index: 10, term: 1, conf }, data } });
  sched.runUntil(50);
  assert.equal(fatal, null, `the host stopped: ${String(fatal)}`);
  assert.equal(host.status().applied, 10);
  assert.deepEqual(fsm.applied.slice(-1), ['e10']);
});

test('a follower forwards ReadIndex only in a term it has written to disk', () => {
  // Found by the simulator: the request went out in the term of a Ready still being written.
  const sched = new ManualScheduler();
  const conf = { voters: ['a', 'b', 'c'], learners: [] };
  const disk = new SlowDisk(sched, conf, 3);
  const sent: Message[] = [];
  let deliver: (m: Message) => void = () => undefined;
  const host = new RaftHost({
    id: 'c', storage: disk, fsm: new ListFsm(), scheduler: sched, random: () => 0.5, tickMs: 1000, electionTick: 10, heartbeatTick: 1,
    transport: { send: (msgs) => sent.push(...msgs), onMessage: (h) => (deliver = h) },
  });
  host.startWith(disk.state());
  deliver({ type: 'append', from: 'a', to: 'c', term: 1, index: 0, logTerm: 0, commit: 0, entries: [{ index: 1, term: 1, type: 'normal', data: new Uint8Array() }] });
  sched.runUntil(1);
  assert.equal(host.status().leader, 'a', 'RaftNode already follows a in term 1');
  assert.throws(() => host.requestRead({}, () => undefined), (e: unknown) => (e as { code?: string }).code === 'NOT_LEADER');
  sched.runUntil(10);
  host.requestRead({}, () => undefined);
  const rq = sent.find((m) => m.type === 'readIndex');
  assert.ok(rq, 'the read goes to the leader once term 1 is durable');
  assert.equal(rq.term, 1);
  assert.equal(disk.durable.hardState.term, 1);
});
