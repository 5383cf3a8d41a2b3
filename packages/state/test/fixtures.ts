import type { ServiceSpec, Task } from '@shoal/types';
import type { Command, NodeRegistration } from '../src/index.js';

export function reg(id: string, extra: Partial<NodeRegistration> = {}): NodeRegistration {
  return {
    id,
    name: `host-${id}`,
    addresses: [`/ip4/127.0.0.1/tcp/${4000 + id.length}`],
    labels: {},
    resources: { cpuMillis: 4000, memoryBytes: 8 * 2 ** 30 },
    drivers: ['docker', 'exec'],
    platform: { os: 'linux', arch: 'amd64' },
    version: '0.1.0',
    ...extra,
  };
}

export const webSpec: ServiceSpec = { name: 'web', image: 'nginx', replicas: 2 };

export function task(id: string, serviceId: string, slot: number, extra: Partial<Task> = {}): Task {
  return {
    id,
    serviceId,
    serviceName: 'web',
    serviceVersion: 1,
    slot,
    desiredState: 'running',
    status: { state: 'new', timestamp: 0, message: 'created' },
    spec: webSpec,
    createdAt: 0,
    updatedAt: 0,
    ...extra,
  };
}

/** Applies commands with increasing indexes from `from`, returning the results. */
export function applyAll(state: { apply(c: Command, i: number): unknown; lastApplied: number }, cmds: Command[]) {
  return cmds.map((c) => state.apply(c, state.lastApplied + 1));
}
