import type { ServiceSpec, Task } from '@shoal/types';
import { nodeRegistration, taskFixture } from '@shoal/testkit';
import type { Command, NodeRegistration } from '../src/index.js';

export function reg(id: string, extra: Partial<NodeRegistration> = {}): NodeRegistration {
  return nodeRegistration(id, { name: `host-${id}`, addresses: [`/ip4/127.0.0.1/tcp/${4000 + id.length}`], ...extra });
}

export const webSpec: ServiceSpec = { name: 'web', image: 'nginx', replicas: 2 };

export function task(id: string, serviceId: string, slot: number, extra: Partial<Task> = {}): Task {
  return taskFixture(id, webSpec, slot, { serviceId, status: { state: 'new', timestamp: 0, message: 'created' }, ...extra });
}

/** Applies commands with increasing indexes from `from`, returning the results. */
export function applyAll(state: { apply(c: Command, i: number): unknown; lastApplied: number }, cmds: Command[]) {
  return cmds.map((c) => state.apply(c, state.lastApplied + 1));
}
