/**
 * The FSM's data and its secondary indexes. Objects are replaced, never
 * mutated, on change, so a reader holding one keeps a consistent copy.
 * Maps keep insertion order, and snapshot/restore preserve it, so every
 * replica iterates in the same order.
 */
import { grantKey, secretNameKey, type GrantRecord, type SecretRecord, type StoreKeyRecord } from './secret-records.js';
import type { ClusterConfig, Network, NodeInfo, Service, ServiceVersion, Task } from '@shoal/types';
import { SecurityTables } from './security-tables.js';

export const DEFAULT_CONFIG: ClusterConfig = {
  clusterId: '',
  allowDangerous: false,
  voters: 3,
  voterGraceMs: 30_000,
  taskHistory: 5,
};

/** The history bucket a task belongs to: its replica slot, or its node for global services. */
export function slotKey(task: Pick<Task, 'serviceId' | 'slot' | 'nodeId'>): string {
  return task.slot > 0 ? `${task.serviceId}#${task.slot}` : `${task.serviceId}@${task.nodeId ?? ''}`;
}

function addTo(index: Map<string, Set<string>>, key: string, id: string): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(id);
}

function removeFrom(index: Map<string, Set<string>>, key: string, id: string): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(id);
  if (set.size === 0) index.delete(key);
}

export class Store {
  config: ClusterConfig = { ...DEFAULT_CONFIG };
  joinTokenHash: string | null = null;
  joinTokenSealed: string | null = null;
  readonly nodes = new Map<string, NodeInfo>();
  readonly nodeNames = new Map<string, string>();
  readonly services = new Map<string, Service>();
  readonly serviceNames = new Map<string, string>();
  /** Service id -> its kept versions, oldest first (service-history.ts). */
  readonly serviceHistory = new Map<string, ServiceVersion[]>();
  readonly tasks = new Map<string, Task>();
  readonly tasksByNode = new Map<string, Set<string>>();
  readonly tasksByService = new Map<string, Set<string>>();
  readonly tasksBySlot = new Map<string, Set<string>>();
  /** Tasks waiting for a node (wanted running, still new or pending): the scheduler's work list without a scan. */
  readonly unplaced = new Set<string>();
  /** API tokens and the audit trail (security-tables.ts). */
  security = new SecurityTables();
  readonly allowlist = new Set<string>();
  readonly revoked = new Set<string>();
  /** Secrets and configs by id, and their ids by `kind/name`. */
  readonly secrets = new Map<string, SecretRecord>();
  readonly secretNames = new Map<string, string>();
  /** Per-node sealed copies, by `node/secretId`. */
  readonly grants = new Map<string, GrantRecord>();
  storeKey: StoreKeyRecord | null = null;

  putSecret(rec: SecretRecord): void {
    this.secrets.set(rec.id, rec);
    this.secretNames.set(secretNameKey(rec.kind, rec.name), rec.id);
  }

  deleteSecret(id: string): void {
    const old = this.secrets.get(id);
    if (!old) return;
    this.secrets.delete(id);
    this.secretNames.delete(secretNameKey(old.kind, old.name));
    for (const [k, g] of this.grants) if (g.secretId === id) this.grants.delete(k);
  }

  putGrant(g: GrantRecord): void {
    this.grants.set(grantKey(g.nodeId, g.secretId), g);
  }

  readonly networks = new Map<string, Network>();
  readonly networkNames = new Map<string, string>();
  /** Node id -> its overlay (VXLAN) address. */
  readonly overlays = new Map<string, string>();
  /** VIP -> service id, so apply can refuse a VIP already taken. */
  readonly vips = new Map<string, string>();

  putNetwork(net: Network): void {
    this.networks.set(net.id, net);
    this.networkNames.set(net.name, net.id);
  }

  deleteNetwork(id: string): void {
    const old = this.networks.get(id);
    if (!old) return;
    this.networks.delete(id);
    this.networkNames.delete(old.name);
  }

  putNode(node: NodeInfo): void {
    const old = this.nodes.get(node.id);
    if (old && old.name !== node.name) this.nodeNames.delete(old.name);
    this.nodes.set(node.id, node);
    this.nodeNames.set(node.name, node.id);
  }

  deleteNode(id: string): void {
    const old = this.nodes.get(id);
    if (!old) return;
    this.nodes.delete(id);
    this.nodeNames.delete(old.name);
  }

  putService(service: Service): void {
    const old = this.services.get(service.id);
    if (old && old.spec.name !== service.spec.name) this.serviceNames.delete(old.spec.name);
    if (old?.vip !== undefined && old.vip !== service.vip) this.vips.delete(old.vip);
    if (service.vip !== undefined) this.vips.set(service.vip, service.id);
    this.services.set(service.id, service);
    this.serviceNames.set(service.spec.name, service.id);
  }

  deleteService(id: string): void {
    const old = this.services.get(id);
    if (!old) return;
    this.services.delete(id);
    this.serviceHistory.delete(id);
    this.serviceNames.delete(old.spec.name);
    if (old.vip !== undefined) this.vips.delete(old.vip);
  }

  putTask(task: Task): void {
    const old = this.tasks.get(task.id);
    this.tasks.set(task.id, task);
    const waiting = task.desiredState === 'running' && (task.status.state === 'new' || task.status.state === 'pending');
    if (waiting) this.unplaced.add(task.id);
    else this.unplaced.delete(task.id);
    // Most updates (a status report, a desired state) keep the keys: leave the indexes alone (the hot path at 100k tasks).
    if (old && old.nodeId === task.nodeId && old.serviceId === task.serviceId && old.slot === task.slot) return;
    if (old) this.unindexTask(old);
    if (task.nodeId !== undefined) addTo(this.tasksByNode, task.nodeId, task.id);
    addTo(this.tasksByService, task.serviceId, task.id);
    addTo(this.tasksBySlot, slotKey(task), task.id);
  }

  deleteTask(id: string): void {
    const old = this.tasks.get(id);
    if (!old) return;
    this.unindexTask(old);
    this.unplaced.delete(id);
    this.tasks.delete(id);
  }

  private unindexTask(task: Task): void {
    if (task.nodeId !== undefined) removeFrom(this.tasksByNode, task.nodeId, task.id);
    removeFrom(this.tasksByService, task.serviceId, task.id);
    removeFrom(this.tasksBySlot, slotKey(task), task.id);
  }

  tasksIn(index: Map<string, Set<string>>, key: string): Task[] {
    const ids = index.get(key);
    if (!ids) return [];
    const out: Task[] = [];
    for (const id of ids) out.push(this.tasks.get(id)!);
    return out;
  }
}
