/**
 * The secrets and configs part of the API contract, kept apart from
 * `Backend` so that a backend without secrets (test doubles) still serves
 * the rest. A secret's value goes in (create) and never comes out.
 */
import type { SecretKind, SecretMeta } from '@shoal/types';

export interface CreateSecretRequest {
  name: string;
  /** The value, base64. */
  data: string;
  labels?: Record<string, string>;
}

export interface KeyRotation {
  keyId: string;
  /** Secrets re-sealed to the new store key. */
  resealed: number;
}

export interface SecretsBackend {
  listSecrets(kind: SecretKind): Promise<SecretMeta[]>;
  getSecret(kind: SecretKind, idOrName: string): Promise<SecretMeta>;
  createSecret(kind: SecretKind, req: CreateSecretRequest): Promise<SecretMeta>;
  removeSecret(kind: SecretKind, idOrName: string): Promise<void>;
  rotateStoreKey(): Promise<KeyRotation>;
}

export function hasSecrets(b: object): b is SecretsBackend {
  return typeof (b as Partial<SecretsBackend>).listSecrets === 'function';
}
