// Simulated agents for the c1m bench: N nodes that register through the
// leader, watch a replica (as a real agent reads its own), and report each
// task placed on them as running. Like a real agent, each node sends its
// reports in one task.status command per round; a round runs whenever a
// batch of entries was applied, so reports of many nodes travel in one
// Raft write. A simulated task starts at once (no container).
import type { ClusterState, Command, TaskStatusUpdate } from '@shoal/state';
import type { Applied } from './c1m-cluster.js';

export const NODE_CPU_MILLIS = 64_000;
export const NODE_MEMORY_BYTES = 256 * 1024 ** 3;

export function nodeId(k: number): string {
  return `sim-${String(k).padStart(5, '0')}`;
}

export class SimAgents {
  private readonly waiting = new Map<string, string[]>();
  private flushQueued = false;
  private inFlight = 0;
  reportsSent = 0;
  reportErrors = 0;

  constructor(
    private readonly count: number,
    private readonly view: ClusterState,
    private readonly propose: (cmd: Command) => Promise<Applied>,
  ) {
    view.onChange((cmd, _index, result) => {
      if (!result.ok || cmd.type !== 'task.assign') return;
      for (const a of cmd.assignments) {
        const t = view.task(a.taskId);
        if (!t || t.nodeId !== a.nodeId || t.status.state !== 'assigned') continue;
        const list = this.waiting.get(a.nodeId);
        if (list) list.push(a.taskId);
        else this.waiting.set(a.nodeId, [a.taskId]);
      }
      this.queueFlush();
    });
  }

  async register(): Promise<void> {
    const all: Promise<Applied>[] = [];
    for (let k = 0; k < this.count; k++) {
      all.push(
        this.propose({
          type: 'node.register',
          at: Date.now(),
          node: {
            id: nodeId(k),
            name: `sim-host-${k}`,
            addresses: [],
            labels: { zone: `z${k % 5}`, rack: `r${k % 40}` },
            resources: { cpuMillis: NODE_CPU_MILLIS, memoryBytes: NODE_MEMORY_BYTES },
            drivers: ['docker', 'exec'],
            platform: { os: 'linux', arch: 'amd64' },
            version: '0.1.0',
            role: 'learner',
          },
        }),
      );
    }
    const res = await Promise.all(all);
    const bad = res.find((r) => !r.result.ok);
    if (bad) throw new Error(`node.register refused: ${JSON.stringify(bad.result)}`);
  }

  idle(): boolean {
    return this.waiting.size === 0 && this.inFlight === 0;
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  private flush(): void {
    const now = Date.now();
    for (const [node, taskIds] of this.waiting) {
      const updates: TaskStatusUpdate[] = taskIds.map((taskId) => ({ taskId, nodeId: node, status: { state: 'running', timestamp: now, message: 'started' } }));
      this.inFlight++;
      this.reportsSent++;
      this.propose({ type: 'task.status', at: now, updates })
        .then((r) => {
          if (!r.result.ok) this.reportErrors++;
        })
        .catch(() => this.reportErrors++)
        .finally(() => this.inFlight--);
    }
    this.waiting.clear();
  }
}
