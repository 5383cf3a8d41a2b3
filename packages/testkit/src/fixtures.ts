/**
 * Small, explicit domain objects for tests: one place for the defaults a
 * node or task has when a test does not care (4 cores, 8 GiB, linux/amd64,
 * both drivers), so each test spells out only what it is about.
 */
import type { NodeInfo, ServiceSpec, Task } from '@shoal/types';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** What a node registers with: the same fields as state's `NodeRegistration`. */
export type NodeRegistrationFixture = Pick<NodeInfo, 'id' | 'name' | 'addresses' | 'labels' | 'resources' | 'drivers' | 'platform' | 'version'> &
  Partial<Pick<NodeInfo, 'apiAddress' | 'availability' | 'role' | 'sealKey'>>;

export function nodeRegistration(id: string, over: Partial<NodeRegistrationFixture> = {}): NodeRegistrationFixture {
  return {
    id,
    name: id,
    addresses: [],
    labels: {},
    resources: { cpuMillis: 4000, memoryBytes: 8 * GiB },
    drivers: ['docker', 'exec'],
    platform: { os: 'linux', arch: 'amd64' },
    version: '0.1.0',
    ...over,
  };
}

/** A registered node as the state holds it: active, ready, a learner. */
export function nodeInfo(id: string, over: Partial<NodeInfo> = {}): NodeInfo {
  return {
    ...nodeRegistration(id),
    availability: 'active',
    status: 'ready',
    role: 'learner',
    createdAt: 0,
    updatedAt: 0,
    ...over,
  };
}

/** A task of `spec` in slot `slot`, desired running, observed `new`; override what the test is about. */
export function taskFixture(id: string, spec: ServiceSpec, slot: number, over: Partial<Task> = {}): Task {
  return {
    id,
    serviceId: `svc-${spec.name}`,
    serviceName: spec.name,
    serviceVersion: 1,
    slot,
    desiredState: 'running',
    status: { state: 'new', timestamp: 0, message: '' },
    spec,
    createdAt: 0,
    updatedAt: 0,
    ...over,
  };
}
