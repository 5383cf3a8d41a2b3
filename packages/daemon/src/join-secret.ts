/**
 * The join secret lives in the replicated state sealed with a key derived
 * from the cluster PSK (AES-256-GCM), next to its hash. Every member can
 * show the current token; a holder of an old, rotated token (who knows the
 * PSK but is not a member) cannot read the state, so rotation locks it out.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { ErrorCode, ShoalError } from '@shoal/types';

function key(pskHex: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(pskHex, 'hex'), Buffer.alloc(0), 'shoal join secret v1', 32));
}

export function sealSecret(pskHex: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key(pskHex), iv);
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

export function unsealSecret(pskHex: string, sealed: string): string {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key(pskHex), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    throw new ShoalError(ErrorCode.CorruptStore, 'the stored join secret cannot be opened with this node\'s cluster key; rotate the token with `shoal cluster token rotate`');
  }
}
