/**
 * How secrets and configs live in the replicated state. A secret's value is
 * only ever stored sealed (see @shoal/secrets for the formats):
 *   - `SecretRecord.data` of a secret: sealed to the store key (X25519),
 *     which only voters can open;
 *   - `StoreKeyRecord.sealed[node]`: the store key's private half, sealed to
 *     each voter's own X25519 key;
 *   - `GrantRecord.sealed`: one secret sealed to one node's key, for the
 *     tasks of that node only.
 * A config's `data` is its value in base64 (configs are not secret).
 */
import type { SecretKind, SecretMeta } from '@shoal/types';

/** The metadata the API shows (`SecretMeta`), plus the stored value; `usedBy` is computed, never stored. */
export interface SecretRecord extends Omit<SecretMeta, 'data' | 'usedBy'> {
  /** Secret: sealed to the store key `keyId`. Config: base64 of the value. */
  data: string;
  keyId?: string;
}

export interface StoreKeyRecord {
  keyId: string;
  /** X25519 public key (base64url): anyone may seal a new secret to it. */
  publicKey: string;
  /** node id -> the private key sealed to that voter's seal key. */
  sealed: Record<string, string>;
  createdAt: number;
}

export interface GrantRecord {
  nodeId: string;
  secretId: string;
  /** The value sealed to the node's seal key. */
  sealed: string;
}

export function secretNameKey(kind: SecretKind, name: string): string {
  return `${kind}/${name}`;
}

export function grantKey(nodeId: string, secretId: string): string {
  return `${nodeId}/${secretId}`;
}
