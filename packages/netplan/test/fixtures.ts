import { ClusterState, type Command } from '@shoal/state';
import { nodeRegistration } from '@shoal/testkit';
import type { ServiceSpec, Task, TaskStatus } from '@shoal/types';
import { planNetworking } from '../src/index.js';

export function apply(state: ClusterState, cmds: Command[]): void {
  for (const c of cmds) {
    const r = state.apply(c, state.lastApplied + 1);
    if (!r.ok) throw new Error(`${c.type}: ${r.error.message}`);
  }
}

export function node(id: string, ip: string): Command {
  // The underlay address the network plan uses is the node's non-loopback one.
  return { type: 'node.register', at: 1, node: nodeRegistration(id, { addresses: [`/ip4/127.0.0.1/tcp/7946`, `/ip4/${ip}/tcp/7946`] }) };
}

/** Runs the leader's network reconciliation until it has nothing more to commit. */
export function settle(state: ClusterState): void {
  let n = 0;
  const ids = () => `net${String(++n).padStart(4, '0')}${state.lastApplied}`;
  for (let i = 0; i < 5; i++) {
    const plan = planNetworking(state, ids, 10);
    if (plan.commands.length === 0) return;
    apply(state, plan.commands);
  }
  throw new Error('network plan did not settle');
}

export function service(state: ClusterState, id: string, spec: ServiceSpec): void {
  apply(state, [{ type: 'service.create', at: 2, serviceId: id, spec }]);
}

/** A running task of a service on a node with an address on each network. */
export function runningTask(state: ClusterState, id: string, serviceId: string, slot: number, nodeId: string, addresses: Record<string, string>, status: Partial<TaskStatus> = {}): void {
  const s = state.service(serviceId)!;
  const t: Task = {
    id,
    serviceId: s.id,
    serviceName: s.spec.name,
    serviceVersion: s.version,
    slot,
    nodeId,
    desiredState: 'running',
    status: { state: 'new', timestamp: 0, message: '' },
    spec: s.spec,
    createdAt: 0,
    updatedAt: 0,
  };
  apply(state, [
    { type: 'task.create', at: 3, tasks: [t] },
    { type: 'task.status', at: 4, updates: [{ taskId: id, nodeId, status: { state: 'running', timestamp: 4, message: 'started', addresses, ...status } }] },
  ]);
}

/** The three-node cluster with the compose "get started" app of two stacks, used by several tests. */
export function twoStacks(): ClusterState {
  const state = new ClusterState();
  apply(state, [node('n1', '172.28.0.11'), node('n2', '172.28.0.12'), node('n3', '172.28.0.13')]);
  for (const stack of ['app', 'other']) {
    const nets = [{ name: `${stack}_default` }];
    service(state, `${stack}-web`, { name: `${stack}_web`, image: 'web', replicas: 2, labels: { 'shoal.stack': stack }, networks: nets, ports: stack === 'app' ? [{ published: 8000, target: 5000 }] : [] });
    service(state, `${stack}-redis`, { name: `${stack}_redis`, image: 'redis', labels: { 'shoal.stack': stack }, networks: [{ name: `${stack}_default`, aliases: ['cache'] }] });
  }
  settle(state);
  return state;
}
