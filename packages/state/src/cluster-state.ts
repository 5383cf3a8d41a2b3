/**
 * The cluster FSM. `apply` is deterministic: the same commands in the same
 * order give every replica the same state, and a bad or stale command
 * yields `{ok: false}` instead of throwing, so one bad entry never stalls
 * the log.
 */
import { ErrorCode, type ClusterConfig, type Network, type NodeInfo, type Service, type ServiceVersion, type Task } from '@shoal/types';
import { applyAllowlistAdd, applyAllowlistRemove, applyClusterConfig, applyTokenSet } from './apply-cluster.js';
import { applyNodeAvailability, applyNodeDown, applyNodePressure, applyNodeRegister, applyNodeRemove, applyNodeRole, applyNodeUp, applyNodeUpdate } from './apply-node.js';
import {
  applyServiceCreate,
  applyServiceJobRun,
  applyServicePromote,
  applyServiceRemove,
  applyServiceRollback,
  applyServiceScale,
  applyServiceUpdate,
  applyServiceUpdateStatus,
  applyServiceRebalance,
  findService,
} from './apply-service.js';
import { applySecretCreate, applySecretGrant, applySecretRemove, applyStoreKey, applyStoreShare, usersOf } from './apply-secret.js';
import { grantKey, secretNameKey, type GrantRecord, type SecretRecord, type StoreKeyRecord } from './secret-records.js';
import type { SecretKind } from '@shoal/types';
import { applyNetworkCreate, applyNetworkRemove, applyNetworkSubnets, applyNodeOverlay, applyServiceVip, findNetwork } from './apply-network.js';
import { applyTaskAssign, applyTaskCreate, applyTaskDesired, applyTaskRemove, applyTaskRestart, applyTaskStatus } from './apply-task.js';
import type { Command, CommandResult } from './commands.js';
import { applyApiTokenCreate, applyApiTokenRevoke, applyNodeTokenSet } from './apply-api-token.js';
import { auditEntry, subjectOf } from './audit.js';
import type { ApiTokenRecord, AuditEntry } from './security-tables.js';
import { applyNodeLabels } from './apply-node-labels.js';
import { fail } from './result.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot.js';
import { Store } from './store.js';
import type { ClusterView, TaskFilter } from './view.js';

export type ChangeListener = (cmd: Command, index: number, result: CommandResult) => void;

function dispatch(store: Store, cmd: Command): CommandResult {
  switch (cmd.type) {
    case 'node.register':
      return applyNodeRegister(store, cmd);
    case 'node.update':
      return applyNodeUpdate(store, cmd);
    case 'node.labels':
      return applyNodeLabels(store, cmd);
    case 'node.availability':
      return applyNodeAvailability(store, cmd);
    case 'node.remove':
      return applyNodeRemove(store, cmd);
    case 'node.down':
      return applyNodeDown(store, cmd);
    case 'node.up':
      return applyNodeUp(store, cmd);
    case 'node.role':
      return applyNodeRole(store, cmd);
    case 'node.pressure':
      return applyNodePressure(store, cmd);
    case 'service.create':
      return applyServiceCreate(store, cmd);
    case 'service.update':
      return applyServiceUpdate(store, cmd);
    case 'service.scale':
      return applyServiceScale(store, cmd);
    case 'service.rollback':
      return applyServiceRollback(store, cmd);
    case 'service.remove':
      return applyServiceRemove(store, cmd);
    case 'service.updateStatus':
      return applyServiceUpdateStatus(store, cmd);
    case 'service.jobRun':
      return applyServiceJobRun(store, cmd);
    case 'service.promote':
      return applyServicePromote(store, cmd);
    case 'service.rebalance':
      return applyServiceRebalance(store, cmd);
    case 'task.create':
      return applyTaskCreate(store, cmd);
    case 'task.assign':
      return applyTaskAssign(store, cmd);
    case 'task.status':
      return applyTaskStatus(store, cmd);
    case 'task.desired':
      return applyTaskDesired(store, cmd);
    case 'task.remove':
      return applyTaskRemove(store, cmd);
    case 'task.restart':
      return applyTaskRestart(store, cmd);
    case 'cluster.config':
      return applyClusterConfig(store, cmd);
    case 'token.set':
      return applyTokenSet(store, cmd);
    case 'allowlist.add':
      return applyAllowlistAdd(store, cmd);
    case 'allowlist.remove':
      return applyAllowlistRemove(store, cmd);
    case 'secret.create':
      return applySecretCreate(store, cmd);
    case 'secret.remove':
      return applySecretRemove(store, cmd);
    case 'secret.grant':
      return applySecretGrant(store, cmd);
    case 'secretstore.key':
      return applyStoreKey(store, cmd);
    case 'secretstore.share':
      return applyStoreShare(store, cmd);
    case 'apitoken.create':
      return applyApiTokenCreate(store, cmd);
    case 'apitoken.revoke':
      return applyApiTokenRevoke(store, cmd);
    case 'nodetoken.set':
      return applyNodeTokenSet(store, cmd);
    case 'network.create':
      return applyNetworkCreate(store, cmd);
    case 'network.subnets':
      return applyNetworkSubnets(store, cmd);
    case 'network.remove':
      return applyNetworkRemove(store, cmd);
    case 'node.overlay':
      return applyNodeOverlay(store, cmd);
    case 'service.vip':
      return applyServiceVip(store, cmd);
    default:
      return fail(ErrorCode.BadMessage, `unknown command type ${String((cmd as { type?: unknown }).type)}`);
  }
}

export class ClusterState implements ClusterView {
  private store: Store;
  private applied = 0;
  private readonly listeners = new Set<ChangeListener>();

  constructor() {
    this.store = new Store();
  }

  get lastApplied(): number {
    return this.applied;
  }

  /** Applies the command committed at `index`. Entries at or below lastApplied are refused (already applied). */
  apply(cmd: Command, index: number): CommandResult {
    let result: CommandResult;
    if (index <= this.applied) {
      return fail(ErrorCode.Conflict, `entry ${index} is already applied (last applied ${this.applied})`);
    }
    const subject = cmd.by !== undefined ? subjectOf(cmd, { service: (id) => findService(this.store, id)?.spec.name, node: (id) => this.store.nodes.get(id)?.name }) : '';
    try {
      result = dispatch(this.store, cmd);
    } catch (err) {
      // Only a command that slipped past decodeCommand's checks lands here; every replica fails it alike.
      result = fail(ErrorCode.BadMessage, `command ${String(cmd?.type)} could not be applied: ${(err as Error).message}`);
    }
    this.applied = index;
    if (cmd.by !== undefined) this.store.security.record(auditEntry(cmd, index, result, subject));
    for (const l of this.listeners) {
      try {
        l(cmd, index, result);
      } catch {
        // A listener's failure is its own; the FSM has already moved on.
      }
    }
    return result;
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  snapshot(): Uint8Array {
    return encodeSnapshot(this.store, this.applied);
  }

  /** Replaces this state with a snapshot's (throws CORRUPT_STORE on unreadable data). Listeners are kept. */
  restore(data: Uint8Array): void {
    const { store, lastApplied } = decodeSnapshot(data);
    this.store = store;
    this.applied = lastApplied;
  }

  static restore(data: Uint8Array): ClusterState {
    const s = new ClusterState();
    s.restore(data);
    return s;
  }

  nodes(): NodeInfo[] {
    return [...this.store.nodes.values()];
  }

  node(id: string): NodeInfo | undefined {
    return this.store.nodes.get(id);
  }

  nodeByName(name: string): NodeInfo | undefined {
    const id = this.store.nodeNames.get(name);
    return id === undefined ? undefined : this.store.nodes.get(id);
  }

  services(): Service[] {
    return [...this.store.services.values()];
  }

  service(idOrName: string): Service | undefined {
    return findService(this.store, idOrName);
  }

  serviceHistory(idOrName: string): ServiceVersion[] {
    const s = findService(this.store, idOrName);
    return s ? [...(this.store.serviceHistory.get(s.id) ?? [])] : [];
  }

  task(id: string): Task | undefined {
    return this.store.tasks.get(id);
  }

  tasks(filter: TaskFilter = {}): Task[] {
    const base =
      filter.nodeId !== undefined
        ? this.tasksByNode(filter.nodeId)
        : filter.serviceId !== undefined
          ? this.tasksByService(filter.serviceId)
          : [...this.store.tasks.values()];
    return base.filter(
      (t) =>
        (filter.serviceId === undefined || t.serviceId === filter.serviceId) &&
        (filter.nodeId === undefined || t.nodeId === filter.nodeId) &&
        (filter.desiredState === undefined || t.desiredState === filter.desiredState) &&
        (filter.state === undefined || t.status.state === filter.state),
    );
  }

  unplacedTasks(): Task[] {
    const out: Task[] = [];
    for (const id of this.store.unplaced) out.push(this.store.tasks.get(id)!);
    return out;
  }

  tasksByNode(nodeId: string): Task[] {
    return this.store.tasksIn(this.store.tasksByNode, nodeId);
  }

  tasksByService(serviceId: string): Task[] {
    return this.store.tasksIn(this.store.tasksByService, serviceId);
  }

  config(): ClusterConfig {
    return this.store.config;
  }

  allowlist(): string[] {
    return [...this.store.allowlist];
  }

  revoked(): string[] {
    return [...this.store.revoked];
  }

  joinTokenHash(): string | null {
    return this.store.joinTokenHash;
  }

  joinTokenSealed(): string | null {
    return this.store.joinTokenSealed;
  }

  /** Secrets and configs (sealed records: never a secret's value in plain text). */
  secretRecords(kind?: SecretKind): SecretRecord[] {
    const all = [...this.store.secrets.values()];
    return kind ? all.filter((s) => s.kind === kind) : all;
  }

  secretRecord(kind: SecretKind, idOrName: string): SecretRecord | undefined {
    const byId = this.store.secrets.get(idOrName);
    if (byId && byId.kind === kind) return byId;
    const id = this.store.secretNames.get(secretNameKey(kind, idOrName));
    return id === undefined ? undefined : this.store.secrets.get(id);
  }

  secretById(id: string): SecretRecord | undefined {
    return this.store.secrets.get(id);
  }

  /** Services that use a secret or config (current specs and still-running tasks). */
  secretUsers(rec: Pick<SecretRecord, 'kind' | 'name'>): string[] {
    return usersOf(this.store, rec);
  }

  grants(): GrantRecord[] {
    return [...this.store.grants.values()];
  }

  grant(nodeId: string, secretId: string): GrantRecord | undefined {
    return this.store.grants.get(grantKey(nodeId, secretId));
  }

  storeKey(): StoreKeyRecord | null {
    return this.store.storeKey;
  }

  networks(): Network[] {
    return [...this.store.networks.values()];
  }

  network(idOrName: string): Network | undefined {
    return findNetwork(this.store, idOrName);
  }

  overlays(): Map<string, string> {
    return new Map(this.store.overlays);
  }

  apiTokens(): ApiTokenRecord[] {
    return [...this.store.security.apiTokens.values()];
  }

  /** The token whose sha256 (hex) is `hash`, if the cluster knows it. */
  apiTokenByHash(hash: string): ApiTokenRecord | undefined {
    const id = this.store.security.tokenByHash.get(hash);
    return id === undefined ? undefined : this.store.security.apiTokens.get(id);
  }

  /** The node whose own API token has sha256 `hash`, if one registered it. */
  nodeByTokenHash(hash: string): string | undefined {
    return this.store.security.nodeByTokenHash.get(hash);
  }

  /** The sha256 of a node's own API token, as it registered it. */
  nodeTokenHash(nodeId: string): string | undefined {
    return this.store.security.nodeTokens.get(nodeId);
  }

  /** Operator writes, oldest first (the last AUDIT_KEEP). */
  audit(): AuditEntry[] {
    return [...this.store.security.audit];
  }
}
