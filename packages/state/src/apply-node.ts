/** Node commands: registration, attributes, availability, liveness, role, removal. */
import { ErrorCode, type NodeInfo } from '@shoal/types';
import type { CommandOf, CommandResult } from './commands.js';
import type { Store } from './store.js';
import { fail, ok } from './result.js';
import { withOperatorLabels } from './apply-node-labels.js';

export function applyNodeRegister(store: Store, cmd: CommandOf<'node.register'>): CommandResult {
  const n = cmd.node;
  if (store.revoked.has(n.id)) return fail(ErrorCode.Unauthorized, `node ${n.id} was removed and cannot rejoin under the same id; start it with a fresh identity`);
  const clash = store.nodeNames.get(n.name);
  if (clash !== undefined && clash !== n.id) return fail(ErrorCode.Conflict, `node name "${n.name}" is taken by ${clash}; give the node another name`);
  const old = store.nodes.get(n.id);
  const node: NodeInfo = {
    id: n.id,
    name: n.name,
    addresses: [...n.addresses],
    labels: withOperatorLabels(n.labels, old?.operatorLabels),
    resources: { ...n.resources },
    drivers: [...n.drivers],
    platform: { ...n.platform },
    version: n.version,
    availability: n.availability ?? old?.availability ?? 'active',
    status: 'ready',
    role: n.role ?? old?.role ?? 'learner',
    createdAt: old?.createdAt ?? cmd.at,
    updatedAt: cmd.at,
  };
  const api = n.apiAddress ?? old?.apiAddress;
  if (api !== undefined) node.apiAddress = api;
  const sealKey = n.sealKey ?? old?.sealKey;
  if (sealKey !== undefined) node.sealKey = sealKey;
  if (old?.hostPaths) node.hostPaths = [...old.hostPaths];
  if (old?.operatorLabels) node.operatorLabels = { ...old.operatorLabels };
  store.putNode(node);
  return ok({ id: n.id });
}

function withNode(store: Store, nodeId: string, change: (node: NodeInfo) => NodeInfo): CommandResult {
  const node = store.nodes.get(nodeId);
  if (!node) return fail(ErrorCode.NotFound, `node ${nodeId} not found; list nodes with \`shoal node ls\``);
  store.putNode(change(node));
  return ok({ id: nodeId });
}

export function applyNodeUpdate(store: Store, cmd: CommandOf<'node.update'>): CommandResult {
  return withNode(store, cmd.nodeId, (n) => ({
    ...n,
    labels: cmd.labels ? withOperatorLabels(cmd.labels, n.operatorLabels) : n.labels,
    resources: cmd.resources ? { ...cmd.resources } : n.resources,
    addresses: cmd.addresses ? [...cmd.addresses] : n.addresses,
    drivers: cmd.drivers ? [...cmd.drivers] : n.drivers,
    apiAddress: cmd.apiAddress ?? n.apiAddress,
    version: cmd.version ?? n.version,
    ...(cmd.sealKey ?? n.sealKey ? { sealKey: cmd.sealKey ?? n.sealKey } : {}),
    ...(cmd.hostPaths ?? n.hostPaths ? { hostPaths: [...(cmd.hostPaths ?? n.hostPaths!)] } : {}),
    updatedAt: cmd.at,
  }));
}

/** A drain with a deadline migrates tasks start-first until `drainDeadline`, then stops what is left; any other change clears it. */
export function applyNodeAvailability(store: Store, cmd: CommandOf<'node.availability'>): CommandResult {
  return withNode(store, cmd.nodeId, (n) => {
    const next: NodeInfo = { ...n, availability: cmd.availability, updatedAt: cmd.at };
    if (cmd.availability === 'drain' && cmd.deadlineMs !== undefined) next.drainDeadline = cmd.at + cmd.deadlineMs;
    else delete next.drainDeadline;
    return next;
  });
}

export function applyNodeDown(store: Store, cmd: CommandOf<'node.down'>): CommandResult {
  return withNode(store, cmd.nodeId, (n) => ({ ...n, status: 'down', statusMessage: cmd.message ?? 'node unreachable', updatedAt: cmd.at }));
}

export function applyNodeUp(store: Store, cmd: CommandOf<'node.up'>): CommandResult {
  return withNode(store, cmd.nodeId, (n) => {
    const up: NodeInfo = { ...n, status: 'ready', updatedAt: cmd.at };
    delete up.statusMessage;
    return up;
  });
}

export function applyNodePressure(store: Store, cmd: CommandOf<'node.pressure'>): CommandResult {
  return withNode(store, cmd.nodeId, (n) => {
    const next: NodeInfo = { ...n, updatedAt: cmd.at };
    if (cmd.pressure) next.pressure = { ...cmd.pressure };
    else delete next.pressure;
    return next;
  });
}

export function applyNodeRole(store: Store, cmd: CommandOf<'node.role'>): CommandResult {
  return withNode(store, cmd.nodeId, (n) => ({ ...n, role: cmd.role, updatedAt: cmd.at }));
}

/** A removed node is revoked for good: its tasks are orphaned by the orchestrator, its id never readmitted. */
export function applyNodeRemove(store: Store, cmd: CommandOf<'node.remove'>): CommandResult {
  if (!store.nodes.has(cmd.nodeId)) return fail(ErrorCode.NotFound, `node ${cmd.nodeId} not found; list nodes with \`shoal node ls\``);
  store.deleteNode(cmd.nodeId);
  store.security.deleteNodeToken(cmd.nodeId);
  store.allowlist.delete(cmd.nodeId);
  store.revoked.add(cmd.nodeId);
  return ok({ id: cmd.nodeId });
}
