/** Cluster-wide commands: config, join-secret hash, peer allowlist (revocation is forever). */
import { ErrorCode } from '@shoal/types';
import type { CommandOf, CommandResult } from './commands.js';
import { batch, fail, ok } from './result.js';
import type { Store } from './store.js';

export function applyClusterConfig(store: Store, cmd: CommandOf<'cluster.config'>): CommandResult {
  const c = cmd.config;
  if (c.clusterId !== undefined && store.config.clusterId !== '' && c.clusterId !== store.config.clusterId) {
    return fail(ErrorCode.Conflict, `the cluster id is ${store.config.clusterId} and cannot change`);
  }
  if (c.voters !== undefined && (c.voters < 1 || c.voters % 2 === 0)) return fail(ErrorCode.BadConfig, `voters must be an odd number (1, 3 or 5), not ${c.voters}`);
  if (c.taskHistory !== undefined && c.taskHistory < 0) return fail(ErrorCode.BadConfig, `taskHistory must be >= 0, not ${c.taskHistory}`);
  if (c.network !== undefined && JSON.stringify(c.network) !== JSON.stringify(store.config.network) && (store.networks.size > 0 || store.vips.size > 0)) {
    return fail(ErrorCode.Conflict, 'network ranges cannot change once networks or virtual IPs are allocated; set them at `shoal init`');
  }
  store.config = { ...store.config, ...stripUndefined(c) };
  return ok();
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function applyTokenSet(store: Store, cmd: CommandOf<'token.set'>): CommandResult {
  store.joinTokenHash = cmd.hash;
  store.joinTokenSealed = cmd.sealed ?? null;
  return ok();
}

export function applyAllowlistAdd(store: Store, cmd: CommandOf<'allowlist.add'>): CommandResult {
  const skipped = [];
  let applied = 0;
  for (const id of cmd.peerIds) {
    if (store.revoked.has(id)) skipped.push({ id, reason: 'peer was removed and is revoked for good' });
    else {
      store.allowlist.add(id);
      applied++;
    }
  }
  if (applied === 0 && skipped.length > 0) return fail(ErrorCode.Unauthorized, `peer(s) ${skipped.map((s) => s.id).join(', ')} were removed and cannot be readmitted; join with a fresh identity`);
  return batch(applied, skipped);
}

export function applyAllowlistRemove(store: Store, cmd: CommandOf<'allowlist.remove'>): CommandResult {
  for (const id of cmd.peerIds) {
    store.allowlist.delete(id);
    store.revoked.add(id);
  }
  return batch(cmd.peerIds.length, []);
}
