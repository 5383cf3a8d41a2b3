// Ranking and batch behaviour of placeTasks: spread, preferences, binpack,
// fairness, and what one placement means for the next one in the batch.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Task } from '@shoal/types';
import { explainPlacement, placeTasks } from '../src/index.js';
import { GiB, MiB, node, perNode, running, spec, task, tasks } from './fixtures.js';
import { seededRandom } from '@shoal/testkit';

const mem = (bytes: number) => ({ resources: { cpuMillis: 4000, memoryBytes: bytes } });
const reserve = (bytes: number) => ({ resources: { reservations: { memoryBytes: bytes } } });

describe('spread', () => {
  it('spreads a service evenly over the nodes', () => {
    const r = placeTasks({ nodes: [node('n1'), node('n2'), node('n3')], tasks: [], pending: tasks('web', 7) });
    assert.deepEqual(perNode(r.assignments), { n1: 3, n2: 2, n3: 2 });
  });

  it('counts the replicas already running before anything else', () => {
    const nodes = [node('n1'), node('n2'), node('n3')];
    const live = [running('web', 1, 'n1'), running('web', 2, 'n1'), running('web', 3, 'n2'), ...[1, 2, 3, 4].map((k) => running('db', k, 'n3'))];
    const r = placeTasks({ nodes, tasks: live, pending: [task('web', 4), task('web', 5), task('web', 6)] });
    // n3 is the busiest node but runs no web replica, so it gets the first two.
    assert.deepEqual(r.assignments, [
      { taskId: 'web.4', nodeId: 'n3' },
      { taskId: 'web.5', nodeId: 'n2' },
      { taskId: 'web.6', nodeId: 'n3' },
    ]);
  });

  it('prefers the least allocated node among equals', () => {
    const nodes = [node('n1', mem(4 * GiB)), node('n2', mem(4 * GiB)), node('n3', mem(8 * GiB))];
    const live = [running('db', 1, 'n1', spec('db', reserve(2 * GiB))), running('db', 2, 'n2', spec('db', reserve(1 * GiB)))];
    const r = placeTasks({ nodes, tasks: live, pending: [task('web', 1, spec('web', reserve(GiB)))] });
    assert.deepEqual(r.assignments, [{ taskId: 'web.1', nodeId: 'n3' }]);
  });

  it('without reservations, prefers the node running fewest tasks', () => {
    const nodes = [node('n1'), node('n2')];
    const r = placeTasks({ nodes, tasks: [running('db', 1, 'n1')], pending: [task('web', 1)] });
    assert.deepEqual(r.assignments, [{ taskId: 'web.1', nodeId: 'n2' }]);
  });
});

describe('spread with many interleaved services', () => {
  const services = Array.from({ length: 40 }, (_, k) => `s${k}`);
  const load = (r: ReturnType<typeof placeTasks>, ids: string[]) => ids.map((id) => r.assignments.filter((a) => a.nodeId === id).length);

  it('keeps node task counts within a task or two of each other without reservations', () => {
    const nodes = Array.from({ length: 12 }, (_, k) => node(`n${String(k).padStart(2, '0')}`));
    const r = placeTasks({ nodes, tasks: [], pending: services.flatMap((s) => tasks(s, 7)) });
    const counts = load(r, nodes.map((n) => n.id));
    assert.equal(r.assignments.length, 280);
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 2, `per-node counts ${counts}`);
  });

  it('keeps reserved shares within 1/64 of a node plus one task', () => {
    const nodes = Array.from({ length: 10 }, (_, k) => node(`n${k}`, mem(64 * GiB)));
    const r = placeTasks({ nodes, tasks: [running('db', 1, 'n3', spec('db', reserve(8 * GiB)))], pending: services.flatMap((s) => tasks(s, 5, spec(s, reserve(256 * MiB)))) });
    const counts = load(r, nodes.map((n) => n.id));
    // n3 starts 8 GiB ahead, more than the batch adds anywhere: it gets nothing.
    assert.equal(counts[3], 0);
    const reserved = counts.filter((_, k) => k !== 3).map((c) => (c * 256 * MiB) / (64 * GiB));
    assert.ok(Math.max(...reserved) - Math.min(...reserved) <= 1 / 64 + 256 / (64 * 1024) + 1e-9, `shares ${reserved}`);
  });
});

describe('placement preferences', () => {
  it('balances replicas across the values of a label, not across nodes', () => {
    const nodes = [node('a1', { labels: { zone: 'a' } }), ...['b1', 'b2', 'b3'].map((id) => node(id, { labels: { zone: 'b' } }))];
    const s = spec('web', { placement: { preferences: [{ spread: 'node.labels.zone' }] } });
    const r = placeTasks({ nodes, tasks: [], pending: tasks('web', 6, s) });
    assert.deepEqual(perNode(r.assignments), { a1: 3, b1: 1, b2: 1, b3: 1 });
  });

  it('counts live replicas per label value and puts unlabelled nodes in a value of their own', () => {
    const nodes = [node('a1', { labels: { zone: 'a' } }), node('b1', { labels: { zone: 'b' } }), node('x1')];
    const s = spec('web', { placement: { preferences: [{ spread: 'node.labels.zone' }] } });
    const live = [running('web', 1, 'a1', s), running('web', 2, 'a1', s)];
    const r = placeTasks({ nodes, tasks: live, pending: [task('web', 3, s), task('web', 4, s), task('web', 5, s), task('web', 6, s)] });
    assert.deepEqual(perNode(r.assignments), { b1: 2, x1: 2 });
  });

  it('applies preferences in order: zone first, then rack within the zone', () => {
    const nodes = [
      node('a-r1-1', { labels: { zone: 'a', rack: 'r1' } }),
      node('a-r1-2', { labels: { zone: 'a', rack: 'r1' } }),
      node('a-r2-1', { labels: { zone: 'a', rack: 'r2' } }),
      node('b-r3-1', { labels: { zone: 'b', rack: 'r3' } }),
    ];
    const s = spec('web', { placement: { preferences: [{ spread: 'node.labels.zone' }, { spread: 'node.labels.rack' }] } });
    const r = placeTasks({ nodes, tasks: [], pending: tasks('web', 8, s) });
    // 4 per zone; zone a's 4 split 2/2 over its racks, rack r1's 2 over its nodes.
    assert.deepEqual(perNode(r.assignments), { 'a-r1-1': 1, 'a-r1-2': 1, 'a-r2-1': 2, 'b-r3-1': 4 });
  });

  it('moves on to another value when the preferred one is full', () => {
    const nodes = [node('a1', { labels: { zone: 'a' }, ...mem(GiB) }), node('b1', { labels: { zone: 'b' }, ...mem(8 * GiB) })];
    const s = spec('web', { ...reserve(GiB), placement: { preferences: [{ spread: 'node.labels.zone' }] } });
    const r = placeTasks({ nodes, tasks: [], pending: tasks('web', 4, s) });
    assert.deepEqual(perNode(r.assignments), { a1: 1, b1: 3 });
  });
});

describe('binpack', () => {
  it('fills the most allocated node that still fits before touching another', () => {
    const nodes = [node('n1', mem(4 * GiB)), node('n2', mem(4 * GiB)), node('n3', mem(4 * GiB))];
    const live = [running('db', 1, 'n2', spec('db', reserve(GiB)))];
    const r = placeTasks({ nodes, tasks: live, pending: tasks('web', 5, spec('web', reserve(GiB))) }, { strategy: 'binpack' });
    assert.deepEqual(perNode(r.assignments), { n2: 3, n1: 2 });
    assert.equal(r.assignments[0].nodeId, 'n2');
  });

  it('sees nodes another service just filled as better candidates', () => {
    const nodes = [node('n1', mem(4 * GiB)), node('n2', mem(4 * GiB))];
    const r = placeTasks({ nodes, tasks: [], pending: [...tasks('a', 2, spec('a', reserve(GiB))), ...tasks('b', 2, spec('b', reserve(GiB)))] }, { strategy: 'binpack' });
    assert.deepEqual(perNode(r.assignments), { n1: 4 });
  });

  it('spread strategy uses every node for the same input', () => {
    const nodes = [node('n1', mem(4 * GiB)), node('n2', mem(4 * GiB))];
    const r = placeTasks({ nodes, tasks: [], pending: [...tasks('a', 2, spec('a', reserve(GiB))), ...tasks('b', 2, spec('b', reserve(GiB)))] });
    assert.deepEqual(perNode(r.assignments), { n1: 2, n2: 2 });
  });
});

describe('batch placement', () => {
  it('is fair: a 2-replica service is not starved by a 1000-replica one when capacity is short', () => {
    const nodes = [node('n1', mem(10 * GiB))];
    const big = tasks('big', 1000, spec('big', reserve(GiB)));
    const small = tasks('small', 2, spec('small', reserve(GiB)));
    const r = placeTasks({ nodes, tasks: [], pending: [...big, ...small] });
    const placed = r.assignments.map((a) => a.taskId);
    assert.equal(placed.length, 10);
    assert.ok(placed.includes('small.1') && placed.includes('small.2'));
    assert.equal(r.unplaced.length, 992);
    assert.deepEqual(new Set(r.unplaced.map((u) => u.reason)), new Set(['no suitable node (1 node: 1 lacks memory (need 1 GiB, most free 0 B))']));
  });

  it('does not give one published port twice on a node within a batch, across services too', () => {
    const nodes = [node('n1'), node('n2')];
    const port = { ports: [{ published: 8080, target: 80, mode: 'host' as const }] };
    const r = placeTasks({ nodes, tasks: [], pending: [...tasks('web', 2, spec('web', port)), task('api', 1, spec('api', port))] });
    assert.equal(r.assignments.length, 2);
    assert.deepEqual(perNode(r.assignments), { n1: 1, n2: 1 });
    assert.deepEqual(r.unplaced, [{ taskId: 'web.2', reason: 'no suitable node (2 nodes: 2 have port 8080 taken)' }]);
  });

  it('an ingress port (the default mode) is the routing mesh\'s: 4 replicas on 3 nodes all place', () => {
    const nodes = [node('n1'), node('n2'), node('n3')];
    const ingress = { ports: [{ published: 8080, target: 80 }] };
    const r = placeTasks({ nodes, tasks: [], pending: tasks('web', 4, spec('web', ingress)) });
    assert.equal(r.assignments.length, 4);
    assert.deepEqual(r.unplaced, []);
  });

  it('accounts resources placed earlier in the same batch', () => {
    const nodes = [node('n1', mem(GiB))];
    const r = placeTasks({ nodes, tasks: [], pending: [...tasks('a', 2, spec('a', reserve(400 * MiB))), task('b', 1, spec('b', reserve(400 * MiB)))] });
    assert.equal(r.assignments.length, 2);
    assert.equal(r.unplaced.length, 1);
    assert.match(r.unplaced[0].reason, /1 lacks memory \(need 400 MiB, most free 224 MiB\)/);
  });

  it('honours maxReplicasPerNode within the batch', () => {
    const s = spec('web', { placement: { maxReplicasPerNode: 2 } });
    const r = placeTasks({ nodes: [node('n1'), node('n2')], tasks: [], pending: tasks('web', 5, s) });
    assert.deepEqual(perNode(r.assignments), { n1: 2, n2: 2 });
    assert.deepEqual(r.unplaced, [{ taskId: 'web.5', reason: 'no suitable node (2 nodes: 2 already run the maximum of 2 tasks of web per node)' }]);
  });

  it('is deterministic: the same input in any order gives the same placement', () => {
    const rand = seededRandom(7);
    const nodes = Array.from({ length: 20 }, (_, k) => node(`n${k}`, { labels: { zone: `z${k % 3}` }, ...mem((1 + (k % 4)) * GiB) }));
    const pending: Task[] = [
      ...tasks('a', 15, spec('a', reserve(512 * MiB))),
      ...tasks('b', 9, spec('b', { placement: { preferences: [{ spread: 'node.labels.zone' }] } })),
      ...tasks('c', 30, spec('c', reserve(256 * MiB))),
    ];
    const shuffle = <T>(xs: T[]) => {
      const out = [...xs];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    };
    for (const strategy of ['spread', 'binpack'] as const) {
      const first = placeTasks({ nodes, tasks: [], pending }, { strategy });
      for (let k = 0; k < 5; k++) assert.deepEqual(placeTasks({ nodes: shuffle(nodes), tasks: [], pending: shuffle(pending) }, { strategy }), first);
    }
  });

  it('explainPlacement ranks first the node placeTasks picks', () => {
    const nodes = [node('a1', { labels: { zone: 'a' } }), node('a2', { labels: { zone: 'a' } }), node('b1', { labels: { zone: 'b' }, ...mem(2 * GiB) })];
    const s = spec('web', { ...reserve(GiB), placement: { preferences: [{ spread: 'node.labels.zone' }] } });
    const live = [running('web', 1, 'b1', s)];
    const pending = task('web', 2, s);
    const [best, ...rest] = explainPlacement({ nodes, tasks: live, pending: [pending] }, pending);
    assert.deepEqual(placeTasks({ nodes, tasks: live, pending: [pending] }).assignments, [{ taskId: 'web.2', nodeId: best.nodeId }]);
    assert.equal(best.nodeId, 'a1');
    assert.deepEqual(rest.map((e) => [e.nodeId, e.score]), [['a2', 2], ['b1', 1]]);
    assert.equal(best.score, 3);
  });
});
