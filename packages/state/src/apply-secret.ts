/**
 * Secret and config commands. Apply never sees a secret's value: it stores
 * what was sealed by the proposer and checks only names, references and key
 * ids, so every replica reaches the same verdict.
 */
import { ErrorCode, type ServiceSpec } from '@shoal/types';
import type { CommandOf, CommandResult } from './commands.js';
import { batch, fail, ok } from './result.js';
import { grantKey, secretNameKey, type SecretRecord } from './secret-records.js';
import type { Store } from './store.js';

/** Whether a spec refers to this secret or config by name. */
export function specUses(spec: ServiceSpec, rec: Pick<SecretRecord, 'kind' | 'name'>): boolean {
  if (rec.kind === 'config') return (spec.configs ?? []).some((r) => r.source === rec.name);
  return (spec.secrets ?? []).some((r) => r.source === rec.name) || spec.registryAuth === rec.name;
}

/** Services (by name) whose current spec, or whose still-running tasks, use the record. */
export function usersOf(store: Store, rec: Pick<SecretRecord, 'kind' | 'name'>): string[] {
  const names = new Set<string>();
  for (const s of store.services.values()) if (specUses(s.spec, rec)) names.add(s.spec.name);
  for (const t of store.tasks.values()) if (t.desiredState === 'running' && specUses(t.spec, rec)) names.add(t.serviceName);
  return [...names].sort();
}

export function applySecretCreate(store: Store, cmd: CommandOf<'secret.create'>): CommandResult {
  const rec = cmd.secret;
  const label = rec.kind === 'secret' ? 'secret' : 'config';
  if (store.secretNames.has(secretNameKey(rec.kind, rec.name))) {
    return fail(ErrorCode.Conflict, `${label} ${rec.name} already exists; values are immutable: create one under a new name and switch services with \`service update --${label}-rm ${rec.name} --${label}-add NEW\``);
  }
  if (store.secrets.has(rec.id)) return fail(ErrorCode.Conflict, `${label} id ${rec.id} is taken`);
  if (rec.kind === 'secret') {
    const key = store.storeKey;
    if (!key) return fail(ErrorCode.Conflict, 'the cluster has no secret store key yet (the leader creates one when it starts); retry in a moment');
    if (rec.keyId !== key.keyId) return fail(ErrorCode.Conflict, 'the secret store key was rotated while this secret was sealed; retry');
  }
  store.putSecret({ ...rec, createdAt: cmd.at });
  return ok({ id: rec.id });
}

export function applySecretRemove(store: Store, cmd: CommandOf<'secret.remove'>): CommandResult {
  const rec = store.secrets.get(cmd.secretId);
  if (!rec) return fail(ErrorCode.NotFound, `secret or config ${cmd.secretId} not found`);
  const users = usersOf(store, rec);
  if (users.length > 0) {
    return fail(ErrorCode.Conflict, `${rec.kind} ${rec.name} is in use by service(s) ${users.join(', ')}; remove it from them first (\`shoal service update NAME --${rec.kind}-rm ${rec.name}\`)`);
  }
  store.deleteSecret(rec.id);
  return ok({ id: rec.id });
}

export function applySecretGrant(store: Store, cmd: CommandOf<'secret.grant'>): CommandResult {
  const skipped = [];
  let applied = 0;
  for (const g of cmd.revoke) {
    if (store.grants.delete(grantKey(g.nodeId, g.secretId))) applied++;
  }
  for (const g of cmd.set) {
    if (!store.secrets.has(g.secretId)) skipped.push({ id: g.secretId, reason: 'secret no longer exists' });
    else if (!store.nodes.has(g.nodeId)) skipped.push({ id: g.nodeId, reason: 'node no longer exists' });
    else {
      store.putGrant({ nodeId: g.nodeId, secretId: g.secretId, sealed: g.sealed });
      applied++;
    }
  }
  return batch(applied, skipped);
}

export function applyStoreKey(store: Store, cmd: CommandOf<'secretstore.key'>): CommandResult {
  const secrets = [...store.secrets.values()].filter((s) => s.kind === 'secret');
  const resealed = new Map(cmd.reseal.map((r) => [r.secretId, r.data]));
  const missing = secrets.filter((s) => !resealed.has(s.id));
  if (missing.length > 0 || resealed.size !== secrets.length) {
    return fail(ErrorCode.Conflict, `the new store key must re-seal exactly the ${secrets.length} stored secret(s) (secrets changed meanwhile); retry`);
  }
  if (Object.keys(cmd.key.sealed).length === 0) return fail(ErrorCode.BadConfig, 'a store key must be shared with at least one voter');
  for (const s of secrets) store.putSecret({ ...s, data: resealed.get(s.id)!, keyId: cmd.key.keyId });
  store.storeKey = { ...cmd.key, sealed: { ...cmd.key.sealed }, createdAt: cmd.at };
  return ok({ id: cmd.key.keyId });
}

export function applyStoreShare(store: Store, cmd: CommandOf<'secretstore.share'>): CommandResult {
  const key = store.storeKey;
  if (!key || key.keyId !== cmd.keyId) return fail(ErrorCode.Conflict, 'the store key changed meanwhile; retry');
  const sealed = { ...key.sealed };
  for (const id of cmd.remove) delete sealed[id];
  for (const [id, s] of Object.entries(cmd.add)) if (store.nodes.has(id)) sealed[id] = s;
  if (Object.keys(sealed).length === 0) return fail(ErrorCode.Conflict, 'the store key must stay shared with at least one voter');
  store.storeKey = { ...key, sealed };
  return ok({ id: key.keyId });
}
