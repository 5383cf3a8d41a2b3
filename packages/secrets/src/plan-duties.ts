/**
 * What the leader does for secrets after every change, as a pure plan:
 *  1. no store key yet: create one, shared with every voter that has a seal key;
 *  2. share the store key with voters that lack it, take it from non-voters;
 *  3. seal a copy of each secret to each node whose running tasks use it,
 *     and revoke the copies no task of that node uses any more.
 * The leader is always a voter, so it holds the store key (step 1 or 2
 * of an earlier leader gave it one); until then it plans nothing.
 */
import type { ClusterState, Command, GrantRecord, SecretRecord } from '@shoal/state';
import { ErrorCode, ShoalError, type NodeInfo, type ServiceSpec } from '@shoal/types';
import { newStoreKey, openSecretValue, openStoreKey, sealGrant, sealSecretValue, shareStoreKey, type Recipient } from './keyring.js';
import type { RandomBytes } from './random.js';

export type SecretStateView = Pick<ClusterState, 'nodes' | 'node' | 'tasks' | 'storeKey' | 'secretRecords' | 'secretRecord' | 'grants'>;

export interface DutyInput {
  state: SecretStateView;
  selfId: string;
  selfPrivateKey: string;
  /** Raft's current voters. */
  voters: string[];
  now: number;
  random: RandomBytes;
}

/** Names of the secrets a task's spec needs on its node: its files and its registry credentials. */
export function secretsNeeded(spec: ServiceSpec): string[] {
  const names = (spec.secrets ?? []).map((r) => r.source);
  if (spec.registryAuth) names.push(spec.registryAuth);
  return [...new Set(names)];
}

function recipients(nodes: NodeInfo[], ids: Iterable<string>): Recipient[] {
  const want = new Set(ids);
  return nodes.filter((n) => want.has(n.id) && n.sealKey).map((n) => ({ id: n.id, sealKey: n.sealKey! }));
}

export function planSecretDuties(input: DutyInput): Command[] {
  const { state, selfId, selfPrivateKey, voters, now: at, random } = input;
  const nodes = state.nodes();
  const key = state.storeKey();
  if (!key) {
    const to = recipients(nodes, voters);
    if (!to.some((r) => r.id === selfId)) return []; // our own seal key is not registered yet
    return [{ type: 'secretstore.key', at, key: newStoreKey(to, random).record, reseal: [] }];
  }
  const storePrivate = openStoreKey(key, selfId, selfPrivateKey);
  if (storePrivate === null) return [];
  const cmds: Command[] = [];
  const voterSet = new Set(voters);
  const add: Record<string, string> = {};
  for (const v of recipients(nodes, voters)) if (!(v.id in key.sealed)) add[v.id] = shareStoreKey(key.keyId, storePrivate, v, random);
  const remove = Object.keys(key.sealed).filter((id) => !voterSet.has(id) && id !== selfId);
  if (Object.keys(add).length > 0 || remove.length > 0) cmds.push({ type: 'secretstore.share', at, keyId: key.keyId, add, remove });
  const grants = planGrants(state, storePrivate, random);
  if (grants.set.length > 0 || grants.revoke.length > 0) cmds.push({ type: 'secret.grant', at, ...grants });
  return cmds;
}

function planGrants(state: SecretStateView, storePrivate: string, random: RandomBytes): { set: GrantRecord[]; revoke: { nodeId: string; secretId: string }[] } {
  const needed = new Map<string, { node: Recipient; rec: SecretRecord }>();
  for (const t of state.tasks({ desiredState: 'running' })) {
    if (!t.nodeId) continue;
    const node = state.node(t.nodeId);
    if (!node?.sealKey) continue;
    for (const name of secretsNeeded(t.spec)) {
      const rec = state.secretRecord('secret', name);
      if (rec) needed.set(`${node.id}/${rec.id}`, { node: { id: node.id, sealKey: node.sealKey }, rec });
    }
  }
  const have = new Set<string>();
  const revoke: { nodeId: string; secretId: string }[] = [];
  for (const g of state.grants()) {
    const k = `${g.nodeId}/${g.secretId}`;
    if (needed.has(k)) have.add(k);
    else revoke.push({ nodeId: g.nodeId, secretId: g.secretId });
  }
  const set: GrantRecord[] = [];
  for (const [k, { node, rec }] of needed) {
    if (!have.has(k)) set.push(sealGrant(node, rec.id, openSecretValue(storePrivate, rec), random));
  }
  return { set, revoke };
}

/**
 * `shoal cluster rotate-key`: a new store key shared with every voter, and
 * every secret re-sealed to it, in one command, so readers never see a mix.
 */
export function planRotation(input: DutyInput): Command {
  const { state, selfId, selfPrivateKey, voters, now: at, random } = input;
  const key = state.storeKey();
  const storePrivate = key ? openStoreKey(key, selfId, selfPrivateKey) : null;
  if (!key || storePrivate === null) throw new ShoalError(ErrorCode.Conflict, 'this node does not hold the secret store key (only voters do); run rotate-key against the leader');
  const next = newStoreKey(recipients(state.nodes(), voters), random);
  const reseal = state.secretRecords('secret').map((rec) => ({
    secretId: rec.id,
    data: sealSecretValue(next.record, rec.id, rec.name, openSecretValue(storePrivate, rec), random),
  }));
  return { type: 'secretstore.key', at, key: next.record, reseal };
}
