/**
 * The key hierarchy, as pure functions over state records:
 *
 *   node seal key (X25519, private half only in the node's data dir)
 *     └─ store key (X25519): private half sealed to each voter's seal key
 *          └─ secret values: sealed to the store key's public half
 *   per-node grants: a secret's value sealed to one node's seal key
 *
 * Any node can seal a new secret (the store's public key is in the state),
 * only a voter can open the store, and a learner opens only its grants.
 */
import type { GrantRecord, SecretRecord, StoreKeyRecord } from '@shoal/state';
import { grantContext, secretContext, storeKeyContext } from './contexts.js';
import type { RandomBytes } from './random.js';
import { open, seal } from './sealed-box.js';
import { newSealKeyPair } from './seal-key.js';

export interface Recipient {
  id: string;
  sealKey: string;
}

/** A fresh store key shared with the given voters; `createdAt` is set when the command applies. */
export function newStoreKey(voters: Recipient[], random: RandomBytes): { record: StoreKeyRecord; privateKey: string } {
  const pair = newSealKeyPair(random);
  const keyId = Buffer.from(random(8)).toString('hex');
  const sealed: Record<string, string> = {};
  for (const v of voters) sealed[v.id] = shareStoreKey(keyId, pair.privateKey, v, random);
  return { record: { keyId, publicKey: pair.publicKey, sealed, createdAt: 0 }, privateKey: pair.privateKey };
}

export function shareStoreKey(keyId: string, storePrivateKey: string, voter: Recipient, random: RandomBytes): string {
  return seal(voter.sealKey, Buffer.from(storePrivateKey, 'base64url'), storeKeyContext(keyId, voter.id), random);
}

/** The store's private key, if it was shared with this node (a voter); null otherwise. Throws if the share does not open. */
export function openStoreKey(key: StoreKeyRecord, nodeId: string, nodePrivateKey: string): string | null {
  const share = key.sealed[nodeId];
  if (share === undefined) return null;
  return open(nodePrivateKey, share, storeKeyContext(key.keyId, nodeId)).toString('base64url');
}

export function sealSecretValue(key: Pick<StoreKeyRecord, 'publicKey'>, secretId: string, name: string, value: Uint8Array, random: RandomBytes): string {
  return seal(key.publicKey, value, secretContext(secretId, name), random);
}

export function openSecretValue(storePrivateKey: string, rec: Pick<SecretRecord, 'id' | 'name' | 'data'>): Buffer {
  return open(storePrivateKey, rec.data, secretContext(rec.id, rec.name));
}

export function sealGrant(node: Recipient, secretId: string, value: Uint8Array, random: RandomBytes): GrantRecord {
  return { nodeId: node.id, secretId, sealed: seal(node.sealKey, value, grantContext(secretId, node.id), random) };
}

export function openGrant(nodePrivateKey: string, grant: GrantRecord): Buffer {
  return open(nodePrivateKey, grant.sealed, grantContext(grant.secretId, grant.nodeId));
}
