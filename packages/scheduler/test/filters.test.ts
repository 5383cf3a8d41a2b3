// Each filter: what it rejects, how placeTasks summarizes it, and what
// explainPlacement says about a rejected node.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeInfo, ServiceSpec, Task } from '@shoal/types';
import { explainPlacement, placeTasks } from '../src/index.js';
import { GiB, MiB, node, running, spec, task } from './fixtures.js';

interface Case {
  name: string;
  nodes: NodeInfo[];
  live?: Task[];
  spec: ServiceSpec;
  /** Exact reason placeTasks gives for the unplaced task. */
  reason: string;
  /** Node id -> the reasons explainPlacement gives for it. */
  explain: Record<string, string[]>;
}

const cases: Case[] = [
  {
    name: 'availability: down, drained and paused nodes are skipped',
    nodes: [node('n1', { status: 'down' }), node('n2', { availability: 'drain' }), node('n3', { availability: 'pause' }), node('n4', { status: 'unknown' })],
    spec: spec('web'),
    reason: 'no suitable node (4 nodes: 1 down, 1 drained, 1 paused, 1 not ready)',
    explain: { n1: ['node is down'], n2: ['node is drained'], n3: ['node availability is pause, not active'], n4: ['node status is unknown, not ready'] },
  },
  {
    name: 'driver: the node must offer the spec driver (docker by default)',
    nodes: [node('n1', { drivers: ['exec'] }), node('n2', { drivers: ['exec'] })],
    spec: spec('web'),
    reason: 'no suitable node (2 nodes: 2 lack the docker driver)',
    explain: { n1: ['no docker driver (has exec)'] },
  },
  {
    name: 'memory: node total minus what live tasks reserve',
    nodes: [node('n1', { resources: { cpuMillis: 4000, memoryBytes: 1 * GiB } })],
    live: [running('db', 1, 'n1', spec('db', { resources: { reservations: { memoryBytes: 768 * MiB } } }))],
    spec: spec('web', { resources: { reservations: { memoryBytes: 512 * MiB } } }),
    reason: 'no suitable node (1 node: 1 lacks memory (need 512 MiB, most free 256 MiB))',
    explain: { n1: ['lacks memory: needs 512 MiB, 256 MiB free'] },
  },
  {
    name: 'cpu: reservations in cores against milli-cores',
    nodes: [node('n1', { resources: { cpuMillis: 1000, memoryBytes: GiB } }), node('n2', { resources: { cpuMillis: 200, memoryBytes: GiB } })],
    live: [running('db', 1, 'n1', spec('db', { resources: { reservations: { cpus: 0.75 } } }))],
    spec: spec('web', { resources: { reservations: { cpus: 0.5 } } }),
    reason: 'no suitable node (2 nodes: 2 lack CPU (need 0.5 cores, most free 0.25 cores))',
    explain: { n1: ['lacks CPU: needs 0.5 cores, 0.25 cores free'], n2: ['lacks CPU: needs 0.5 cores, 0.2 cores free'] },
  },
  {
    name: 'ports: a published port taken by a live task',
    nodes: [node('n1')],
    live: [running('db', 1, 'n1', spec('db', { ports: [{ published: 8080, target: 80, mode: 'host' as const }] }))],
    spec: spec('web', { ports: [{ published: 8080, target: 80, mode: 'host' as const, protocol: 'tcp' }] }),
    reason: 'no suitable node (1 node: 1 has port 8080 taken)',
    explain: { n1: ['port 8080 taken'] },
  },
  {
    name: 'ports: udp is told apart from tcp',
    nodes: [node('n1')],
    live: [running('dns', 1, 'n1', spec('dns', { ports: [{ published: 53, target: 53, mode: 'host' as const, protocol: 'udp' }] }))],
    spec: spec('web', { ports: [{ published: 53, target: 53, mode: 'host' as const, protocol: 'udp' }] }),
    reason: 'no suitable node (1 node: 1 has port 53/udp taken)',
    explain: { n1: ['port 53/udp taken'] },
  },
  {
    name: 'constraints: label equality, grouped per failing constraint',
    nodes: [node('n1', { labels: { zone: 'b' } }), node('n2', { labels: { zone: 'b', disk: 'hdd' } }), node('n3', { labels: { zone: 'a', disk: 'hdd' } })],
    spec: spec('web', { placement: { constraints: ['node.labels.zone == a', 'node.labels.disk != hdd'] } }),
    reason: 'no suitable node (3 nodes: 2 do not satisfy node.labels.zone == a, 1 does not satisfy node.labels.disk != hdd)',
    explain: { n1: ['does not satisfy node.labels.zone == a'], n3: ['does not satisfy node.labels.disk != hdd'] },
  },
  {
    name: 'constraints: node.id, node.hostname and platform fields',
    nodes: [node('n1'), node('n2', { platform: { os: 'linux', arch: 'arm64' } })],
    spec: spec('web', { placement: { constraints: ['node.hostname != host-n1', 'node.platform.arch == amd64'] } }),
    reason: 'no suitable node (2 nodes: 1 does not satisfy node.hostname != host-n1, 1 does not satisfy node.platform.arch == amd64)',
    explain: { n1: ['does not satisfy node.hostname != host-n1'], n2: ['does not satisfy node.platform.arch == amd64'] },
  },
  {
    name: 'platforms: the node platform must be one the spec lists',
    nodes: [node('n1'), node('n2', { platform: { os: 'windows', arch: 'amd64' } })],
    spec: spec('web', { placement: { platforms: [{ os: 'linux', arch: 'arm64' }] } }),
    reason: 'no suitable node (2 nodes: 2 are not linux/arm64)',
    explain: { n1: ['platform linux/amd64 is not one of linux/arm64'] },
  },
  {
    name: 'maxReplicasPerNode counts live tasks of the service',
    nodes: [node('n1')],
    live: [running('web', 2, 'n1')],
    spec: spec('web', { placement: { maxReplicasPerNode: 1 } }),
    reason: 'no suitable node (1 node: 1 already runs the maximum of 1 task of web per node)',
    explain: { n1: ['already runs 1 task of web (max 1 per node)'] },
  },
  {
    name: 'a malformed constraint is reported, not thrown',
    nodes: [node('n1')],
    spec: spec('web', { placement: { constraints: ['node.color == red'] } }),
    reason: 'constraint "node.color == red" uses unknown key "node.color" — write `node.labels.KEY == VALUE` or `!=`, with KEY one of node.labels.<name>, node.id, node.hostname, node.platform.os, node.platform.arch',
    explain: {},
  },
  {
    name: 'mixed reasons, each node counted under the first filter that rejects it',
    nodes: [
      ...['n1', 'n2', 'n3'].map((id) => node(id, { resources: { cpuMillis: 4000, memoryBytes: 256 * MiB } })),
      node('n4'),
      node('n5'),
    ],
    live: [running('lb', 1, 'n4', spec('lb', { ports: [{ published: 8080, target: 80, mode: 'host' as const }] })), running('lb', 2, 'n5', spec('lb', { ports: [{ published: 8080, target: 80, mode: 'host' as const }] }))],
    spec: spec('web', { resources: { reservations: { memoryBytes: 512 * MiB } }, ports: [{ published: 8080, target: 80, mode: 'host' as const }] }),
    reason: 'no suitable node (5 nodes: 3 lack memory (need 512 MiB, most free 256 MiB), 2 have port 8080 taken)',
    explain: { n1: ['lacks memory: needs 512 MiB, 256 MiB free'], n5: ['port 8080 taken'] },
  },
  {
    name: 'an empty cluster',
    nodes: [],
    spec: spec('web'),
    reason: 'no suitable node (the cluster has no nodes)',
    explain: {},
  },
  {
    name: 'hostPaths: every bind source must be one the node reports it has',
    nodes: [node('n1', { hostPaths: ['/srv/app/conf'] }), node('n2'), node('n3', { hostPaths: ['/srv/app/conf', '/srv/other'] })],
    spec: spec('web', { mounts: [{ type: 'bind', source: '/srv/app/conf', target: '/conf' }, { type: 'bind', source: '/srv/app/data', target: '/data' }, { type: 'volume', source: 'x', target: '/x' }] }),
    reason: 'no suitable node (3 nodes: 2 lack bind source /srv/app/data, 1 lacks bind source /srv/app/conf)',
    explain: {
      n1: ['bind source /srv/app/data does not exist on this node (create it there, or constrain the service to nodes that have it)'],
      n2: ['bind source /srv/app/conf does not exist on this node (create it there, or constrain the service to nodes that have it)'],
    },
  },
];

describe('filters', () => {
  for (const c of cases) {
    it(c.name, () => {
      const pending = task('web', 1, c.spec);
      const input = { nodes: c.nodes, tasks: c.live ?? [], pending: [pending] };
      assert.deepEqual(placeTasks(input), { assignments: [], unplaced: [{ taskId: 'web.1', reason: c.reason }] });
      const explained = explainPlacement(input, pending);
      assert.equal(explained.length, c.nodes.length);
      assert.ok(explained.every((e) => !e.eligible && e.reasons.length > 0 && e.score === undefined));
      for (const [id, reasons] of Object.entries(c.explain)) {
        assert.deepEqual(explained.find((e) => e.nodeId === id)?.reasons, reasons, id);
      }
    });
  }

  it('each filter accepts the node once the obstacle is gone', () => {
    const input = {
      nodes: [node('n1', { labels: { zone: 'a' }, resources: { cpuMillis: 1000, memoryBytes: GiB }, hostPaths: ['/srv/conf'] })],
      tasks: [running('dns', 1, 'n1', spec('dns', { ports: [{ published: 8080, target: 53, mode: 'host' as const, protocol: 'udp' }] }))],
      pending: [
        task(
          'web',
          1,
          spec('web', {
            resources: { reservations: { cpus: 1, memoryBytes: GiB } },
            ports: [{ published: 8080, target: 80, mode: 'host' as const }],
            mounts: [{ type: 'bind', source: '/srv/conf', target: '/conf' }],
            placement: { constraints: ['node.labels.zone == a', 'node.id == n1'], platforms: [{ os: 'linux', arch: 'x86_64' }], maxReplicasPerNode: 1 },
          }),
        ),
      ],
    };
    assert.deepEqual(placeTasks(input), { assignments: [{ taskId: 'web.1', nodeId: 'n1' }], unplaced: [] });
    const [only] = explainPlacement(input, input.pending[0]);
    assert.deepEqual(only, { nodeId: 'n1', name: 'host-n1', eligible: true, reasons: [], score: 1 });
  });

  it('lists every failing filter of a node in explainPlacement, not only the first', () => {
    const n = node('n1', { availability: 'drain', drivers: ['exec'], resources: { cpuMillis: 0, memoryBytes: 0 } });
    const t = task('web', 1, spec('web', { resources: { reservations: { memoryBytes: MiB } } }));
    const [e] = explainPlacement({ nodes: [n], tasks: [], pending: [t] }, t);
    assert.deepEqual(e.reasons, ['node is drained', 'no docker driver (has exec)', 'lacks memory: needs 1 MiB, 0 B free']);
  });

  it('ignores finished tasks and stopping ones that never started, but not the ones still stopping', () => {
    const n = node('n1', { resources: { cpuMillis: 1000, memoryBytes: GiB } });
    const big = spec('db', { resources: { reservations: { memoryBytes: GiB } }, ports: [{ published: 80, target: 80, mode: 'host' as const }] });
    const finished = task('db', 1, big, { nodeId: 'n1', status: { state: 'failed', timestamp: 0, message: '' } });
    const neverStarted = task('db', 2, big, { nodeId: 'n1', desiredState: 'shutdown', status: { state: 'assigned', timestamp: 0, message: '' } });
    const result = placeTasks({ nodes: [n], tasks: [finished, neverStarted], pending: [task('web', 1, big)] });
    assert.deepEqual(result.assignments, [{ taskId: 'web.1', nodeId: 'n1' }]);
    // A task told to stop whose container is still running holds its port and memory until it ends.
    const stopping = task('db', 3, big, { nodeId: 'n1', desiredState: 'shutdown', status: { state: 'running', timestamp: 0, message: '' } });
    const blocked = placeTasks({ nodes: [n], tasks: [stopping], pending: [task('web', 1, big)] });
    assert.deepEqual(blocked.assignments, []);
    assert.match(blocked.unplaced[0].reason, /lacks memory/);
  });

  it('places a task created for a node only on that node', () => {
    const nodes = [node('n1'), node('n2', { availability: 'drain' })];
    const onN2 = task('agent', 1, spec('agent', { mode: 'global' }), { nodeId: 'n2', slot: 0, id: 'agent.n2' });
    const onN1 = task('agent', 1, spec('agent', { mode: 'global' }), { nodeId: 'n1', slot: 0, id: 'agent.n1' });
    const gone = task('agent', 1, spec('agent', { mode: 'global' }), { nodeId: 'n9', slot: 0, id: 'agent.n9' });
    assert.deepEqual(placeTasks({ nodes, tasks: [], pending: [onN2, onN1, gone] }), {
      assignments: [{ taskId: 'agent.n1', nodeId: 'n1' }],
      unplaced: [
        { taskId: 'agent.n2', reason: 'no suitable node (1 node: 1 drained)' },
        { taskId: 'agent.n9', reason: 'no suitable node: the task belongs to node n9, which is not in the cluster' },
      ],
    });
    const explained = explainPlacement({ nodes, tasks: [], pending: [] }, onN1);
    assert.deepEqual(explained.map((e) => [e.nodeId, e.eligible, e.reasons]), [
      ['n1', true, []],
      ['n2', false, ['node is drained', 'task belongs to node n1']],
    ]);
  });
});
