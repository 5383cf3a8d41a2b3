/** Snapshot encoding: JSON of every table in insertion order, so a restored replica iterates like the original. */
import { ErrorCode, ShoalError, type ClusterConfig, type Network, type NodeInfo, type NodeOverlay, type Service, type ServiceVersion, type Task } from '@shoal/types';
import { DEFAULT_CONFIG, Store } from './store.js';
import type { GrantRecord, SecretRecord, StoreKeyRecord } from './secret-records.js';
import { SecurityTables, type SecuritySnapshot } from './security-tables.js';

const FORMAT = 1;

interface SnapshotData {
  format: number;
  lastApplied: number;
  config: ClusterConfig;
  joinTokenHash: string | null;
  joinTokenSealed?: string | null;
  nodes: NodeInfo[];
  services: Service[];
  tasks: Task[];
  allowlist: string[];
  revoked: string[];
  secrets?: SecretRecord[];
  grants?: GrantRecord[];
  storeKey?: StoreKeyRecord | null;
  /** Absent in snapshots written before service networking. */
  networks?: Network[];
  overlays?: NodeOverlay[];
  /** Kept service versions; absent in snapshots written before service history. */
  serviceHistory?: { serviceId: string; versions: ServiceVersion[] }[];
  /** API tokens and audit trail; absent in snapshots written before them. */
  security?: SecuritySnapshot;
}

export function encodeSnapshot(store: Store, lastApplied: number): Uint8Array {
  const data: SnapshotData = {
    format: FORMAT,
    lastApplied,
    config: store.config,
    joinTokenHash: store.joinTokenHash,
    joinTokenSealed: store.joinTokenSealed,
    nodes: [...store.nodes.values()],
    services: [...store.services.values()],
    tasks: [...store.tasks.values()],
    allowlist: [...store.allowlist],
    revoked: [...store.revoked],
    secrets: [...store.secrets.values()],
    grants: [...store.grants.values()],
    storeKey: store.storeKey,
    networks: [...store.networks.values()],
    overlays: [...store.overlays].map(([nodeId, address]) => ({ nodeId, address })),
    security: store.security.encode(),
    serviceHistory: [...store.serviceHistory].map(([serviceId, versions]) => ({ serviceId, versions })),
  };
  return new TextEncoder().encode(JSON.stringify(data));
}

function corrupt(why: string): ShoalError {
  return new ShoalError(ErrorCode.CorruptStore, `cluster state snapshot is unreadable (${why}); remove the node's data dir and rejoin so it gets a fresh copy`);
}

const isArray = (v: unknown): v is unknown[] => Array.isArray(v);

export function decodeSnapshot(bytes: Uint8Array): { store: Store; lastApplied: number } {
  let data: SnapshotData;
  try {
    data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as SnapshotData;
  } catch {
    throw corrupt('not JSON');
  }
  if (typeof data !== 'object' || data === null || data.format !== FORMAT) throw corrupt(`unknown format ${String((data as SnapshotData | null)?.format)}`);
  if (!Number.isInteger(data.lastApplied) || data.lastApplied < 0) throw corrupt('bad lastApplied');
  for (const k of ['nodes', 'services', 'tasks', 'allowlist', 'revoked'] as const) if (!isArray(data[k])) throw corrupt(`${k} is not a list`);
  const store = new Store();
  store.config = { ...DEFAULT_CONFIG, ...data.config };
  store.joinTokenHash = typeof data.joinTokenHash === 'string' ? data.joinTokenHash : null;
  store.joinTokenSealed = typeof data.joinTokenSealed === 'string' ? data.joinTokenSealed : null;
  for (const n of data.nodes) {
    if (typeof n?.id !== 'string' || typeof n.name !== 'string') throw corrupt('a node has no id or name');
    store.putNode(n);
  }
  for (const s of data.services) {
    if (typeof s?.id !== 'string' || typeof s.spec?.name !== 'string') throw corrupt('a service has no id or name');
    store.putService(s);
  }
  for (const t of data.tasks) {
    if (typeof t?.id !== 'string' || typeof t.serviceId !== 'string' || typeof t.status?.state !== 'string') throw corrupt('a task is malformed');
    store.putTask(t);
  }
  store.security = SecurityTables.decode(data.security, corrupt);
  for (const id of data.allowlist) store.allowlist.add(String(id));
  for (const id of data.revoked) store.revoked.add(String(id));
  for (const r of data.secrets ?? []) {
    if (typeof r?.id !== 'string' || typeof r.name !== 'string' || typeof r.data !== 'string') throw corrupt('a secret is malformed');
    store.putSecret(r);
  }
  for (const g of data.grants ?? []) {
    if (typeof g?.nodeId !== 'string' || typeof g.secretId !== 'string' || typeof g.sealed !== 'string') throw corrupt('a secret grant is malformed');
    store.putGrant(g);
  }
  if (data.storeKey && typeof data.storeKey.keyId === 'string') store.storeKey = data.storeKey;
  for (const n of data.networks ?? []) {
    if (typeof n?.id !== 'string' || typeof n.name !== 'string' || typeof n.subnets !== 'object') throw corrupt('a network is malformed');
    store.putNetwork(n);
  }
  for (const o of data.overlays ?? []) {
    if (typeof o?.nodeId !== 'string' || typeof o.address !== 'string') throw corrupt('a node overlay address is malformed');
    store.overlays.set(o.nodeId, o.address);
  }
  for (const h of data.serviceHistory ?? []) {
    if (typeof h?.serviceId !== 'string' || !isArray(h.versions)) throw corrupt('a service history is malformed');
    if (store.services.has(h.serviceId)) store.serviceHistory.set(h.serviceId, h.versions);
  }
  return { store, lastApplied: data.lastApplied };
}
