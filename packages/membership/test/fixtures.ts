import type { Heartbeat } from '../src/index.js';

export function sampleHeartbeat(over: Partial<Heartbeat> = {}): Heartbeat {
  return {
    nodeId: '12D3KooWExample',
    incarnation: 1700000000000,
    seq: 7,
    sentAt: 1700000000500,
    resources: { total: { cpuMillis: 2000, memoryBytes: 8 * 2 ** 30 }, free: { cpuMillis: 1500, memoryBytes: 6 * 2 ** 30 } },
    drivers: ['docker', 'exec'],
    tasks: { running: 3, failed: 1, total: 4 },
    version: '0.1.0',
    ...over,
  };
}

