/**
 * Every change to the cluster is one of these commands, appended to the Raft
 * log and applied in order on every replica. Commands that create things
 * carry the new ids (made by the proposer with its injected randomness) and
 * every command carries `at`, the proposer's clock, so applying one never
 * reads a clock or a random source.
 */
import type {
  ApiRole,
  ClusterConfig,
  DesiredTaskState,
  NodeAvailability,
  NodeInfo,
  NodePressure,
  NodeRole,
  ServiceSpec,
  Task,
  TaskState,
  TaskStatus,
  UpdateStatus,
} from '@shoal/types';
import type { GrantRecord, SecretRecord, StoreKeyRecord } from './secret-records.js';

/** What a node says about itself when it joins; status, timestamps and defaults are set by apply. */
export type NodeRegistration = Pick<NodeInfo, 'id' | 'name' | 'addresses' | 'labels' | 'resources' | 'drivers' | 'platform' | 'version'> &
  Partial<Pick<NodeInfo, 'apiAddress' | 'availability' | 'role' | 'sealKey'>>;

export interface TaskAssignment {
  taskId: string;
  nodeId: string;
}

export interface TaskPending {
  taskId: string;
  reason: string;
}

export interface TaskStatusUpdate {
  taskId: string;
  status: TaskStatus;
  /** The reporting node; a report from a node the task is not on is ignored. */
  nodeId?: string;
}

export interface TaskDesiredChange {
  taskId: string;
  desiredState: DesiredTaskState;
  /** Observed state to record at the same time (e.g. `orphaned` for a task on a lost node). */
  state?: TaskState;
  message?: string;
}

/** `by`: the API token name of the operator whose request this is (absent for the cluster's own work); audited. */
type At = { at: number; by?: string };

export type Command = At &
  (
    | { type: 'node.register'; node: NodeRegistration }
    | {
        type: 'node.update';
        nodeId: string;
        labels?: Record<string, string>;
        resources?: NodeInfo['resources'];
        addresses?: string[];
        drivers?: NodeInfo['drivers'];
        apiAddress?: string;
        version?: string;
        sealKey?: string;
        /** The bind sources this node has (see NodeInfo.hostPaths); replaces the previous list. */
        hostPaths?: string[];
      }
    /** `deadlineMs` (drain only): move tasks start-first and stop those still there after it (`node drain --deadline`). */
    | { type: 'node.availability'; nodeId: string; availability: NodeAvailability; deadlineMs?: number }
    /** An operator's label changes (`shoal node update --label-add k=v --label-rm k`). */
    | { type: 'node.labels'; nodeId: string; set: Record<string, string>; remove: string[] }
    | { type: 'node.remove'; nodeId: string }
    | { type: 'node.down'; nodeId: string; message?: string }
    | { type: 'node.up'; nodeId: string }
    | { type: 'node.role'; nodeId: string; role: NodeRole }
    /** The leader's confirmed view of a node's host pressure; null when it is back to normal. */
    | { type: 'node.pressure'; nodeId: string; pressure: NodePressure | null }
    | { type: 'service.create'; serviceId: string; spec: ServiceSpec }
    /** `serviceId` may be the id or the name; `expectVersion` makes it a compare-and-set. */
    | { type: 'service.update'; serviceId: string; spec: ServiceSpec; expectVersion?: number }
    | { type: 'service.scale'; serviceId: string; replicas: number }
    /** Without `toVersion`: back to the previous spec. With it: to that kept version (`shoal service rollback --to`). */
    | { type: 'service.rollback'; serviceId: string; reason?: string; expectVersion?: number; toVersion?: number }
    | { type: 'service.remove'; serviceId: string }
    /** Promotes an update's canaries (`shoal service promote`): the rolling update continues. */
    | { type: 'service.promote'; serviceId: string; expectVersion?: number }
    /** Starts run `iteration` of a job (the schedule's next tick); refused unless it is the next one. */
    | { type: 'service.jobRun'; serviceId: string; iteration: number }
    | { type: 'service.updateStatus'; serviceId: string; status: UpdateStatus; expectVersion?: number }
    /** An operator's rebalance request (requested=true), or the leader's note that it is done (false). */
    | { type: 'service.rebalance'; serviceId: string; requested: boolean }
    | { type: 'task.create'; tasks: Task[] }
    | { type: 'task.assign'; assignments: TaskAssignment[]; pending?: TaskPending[] }
    | { type: 'task.status'; updates: TaskStatusUpdate[] }
    | { type: 'task.desired'; changes: TaskDesiredChange[] }
    | { type: 'task.remove'; taskIds: string[] }
    /** `shoal task restart`: stop the task and start `newTaskId`, a copy of it, on the same node. */
    | { type: 'task.restart'; taskId: string; newTaskId: string; message?: string }
    | { type: 'cluster.config'; config: Partial<ClusterConfig> }
    /** `sealed`: the secret encrypted with the cluster key, so any member can show the token. */
    | { type: 'token.set'; hash: string; sealed?: string }
    | { type: 'allowlist.add'; peerIds: string[] }
    | { type: 'allowlist.remove'; peerIds: string[] }
    /** A new secret (value sealed to the current store key) or config. Names are unique per kind; values immutable. */
    | { type: 'secret.create'; secret: SecretRecord }
    /** Refused while a service or a running task uses it. */
    | { type: 'secret.remove'; secretId: string }
    /** Per-node sealed copies for that node's tasks (set) and copies no task of the node needs any more (revoke). */
    | { type: 'secret.grant'; set: GrantRecord[]; revoke: { nodeId: string; secretId: string }[] }
    /**
     * A new store key (first one, or a rotation): `reseal` holds every
     * secret's value sealed to the new key, and must cover exactly the
     * stored secrets, so the switch is atomic and nothing is left unreadable.
     */
    | { type: 'secretstore.key'; key: StoreKeyRecord; reseal: { secretId: string; data: string }[] }
    /** Shares the store key with new voters (add) and takes it from nodes that are no longer voters (remove). */
    | { type: 'secretstore.share'; keyId: string; add: Record<string, string>; remove: string[] }
    /** An API token: only its sha256 is stored; `tokenId` and the token are made by the proposer. */
    | { type: 'apitoken.create'; tokenId: string; name: string; role: ApiRole; hash: string }
    /** `tokenId` may be the id or the name. */
    | { type: 'apitoken.revoke'; tokenId: string }
    /** A node's own admin API token, as its sha256: an admin credential cluster-wide while that node is a voter. */
    | { type: 'nodetoken.set'; nodeId: string; hash: string }
    /** Made by the leader on first reference (explicit=false) or by `shoal network create`; carries its first subnets. */
    | { type: 'network.create'; networkId: string; name: string; explicit: boolean; labels?: Record<string, string>; subnets: Record<string, string> }
    /** Adds (cidr) or frees (null) per-node subnets of a network. */
    | { type: 'network.subnets'; networkId: string; subnets: Record<string, string | null> }
    /** `networkId` may be the id or the name; refused while a service uses it. */
    | { type: 'network.remove'; networkId: string }
    /** Sets (address) or frees (null) nodes' overlay addresses. */
    | { type: 'node.overlay'; overlays: Record<string, string | null> }
    /** Sets (or frees, null) the virtual IP of services. */
    | { type: 'service.vip'; vips: Record<string, string | null> }
  );

export type CommandType = Command['type'];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;

export const COMMAND_TYPES: readonly CommandType[] = [
  'node.register',
  'node.update',
  'node.availability',
  'node.labels',
  'node.remove',
  'node.down',
  'node.up',
  'node.role',
  'node.pressure',
  'service.create',
  'service.update',
  'service.scale',
  'service.rollback',
  'service.remove',
  'service.updateStatus',
  'service.jobRun',
  'service.promote',
  'service.rebalance',
  'task.create',
  'task.assign',
  'task.status',
  'task.desired',
  'task.remove',
  'task.restart',
  'cluster.config',
  'token.set',
  'allowlist.add',
  'allowlist.remove',
  'secret.create',
  'secret.remove',
  'secret.grant',
  'secretstore.key',
  'secretstore.share',
  'network.create',
  'network.subnets',
  'network.remove',
  'node.overlay',
  'service.vip',
  'apitoken.create',
  'apitoken.revoke',
  'nodetoken.set',
];

/** Outcome of one batch entry that was not applied. */
export interface Skipped {
  id: string;
  reason: string;
}

export interface CommandError {
  code: string;
  message: string;
}

/**
 * What applying a command did. A bad or stale command is a result, never an
 * exception: every replica must reach the same verdict and carry on.
 * Batch commands are `ok` and list the entries they skipped.
 */
export type CommandResult = { ok: true; id?: string; applied?: number; skipped?: Skipped[] } | { ok: false; error: CommandError };
