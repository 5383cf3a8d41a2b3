/**
 * Sealing a value to one X25519 public key (an ECIES "sealed box" built from
 * node's crypto, no cipher of our own): a fresh ephemeral key pair per
 * message, X25519 agreement with the recipient, HKDF-SHA256 over the shared
 * secret and both public keys, then AES-256-GCM. The `context` string is the
 * GCM associated data: it binds a sealed value to where it is stored (which
 * secret, which node), so a copy moved to another record does not open.
 *
 * Wire: base64url( 0x01 | ephemeral public (32) | nonce (12) | tag (16) | ciphertext ).
 */
import { createCipheriv, createDecipheriv, createPublicKey, diffieHellman, hkdfSync, type KeyObject } from 'node:crypto';
import { ErrorCode, ShoalError } from '@shoal/types';
import type { RandomBytes } from './random.js';
import { newSealKeyPair, privateKeyObject, publicKeyObject } from './seal-key.js';

const VERSION = 1;
const HEADER = 1 + 32 + 12 + 16;
const INFO = Buffer.from('shoal sealed box v1');

function deriveKey(shared: Buffer, ephemeralPub: Buffer, recipientPub: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeralPub, recipientPub]), INFO, 32));
}

export function seal(recipientPublicKey: string, plaintext: Uint8Array, context: string, random: RandomBytes): string {
  const recipientPub = Buffer.from(recipientPublicKey, 'base64url');
  const eph = newSealKeyPair(random);
  const ephPub = Buffer.from(eph.publicKey, 'base64url');
  const shared = diffieHellman({ privateKey: privateKeyObject(eph.privateKey), publicKey: publicKeyObject(recipientPub) });
  const nonce = Buffer.from(random(12));
  const cipher = createCipheriv('aes-256-gcm', deriveKey(shared, ephPub, recipientPub), nonce);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), ephPub, nonce, cipher.getAuthTag(), body]).toString('base64url');
}

/** Opens a sealed value; SEAL_OPEN_FAILED (as CORRUPT_STORE) when the key, context or bytes do not match. */
export function open(privateKey: string, sealed: string, context: string): Buffer {
  const raw = Buffer.from(sealed, 'base64url');
  if (raw.length < HEADER || raw[0] !== VERSION) throw cannotOpen(context);
  const ephPub = raw.subarray(1, 33);
  try {
    const priv = privateKeyObject(privateKey);
    const recipientPub = publicKeyFromPrivate(priv);
    const shared = diffieHellman({ privateKey: priv, publicKey: publicKeyObject(ephPub) });
    const decipher = createDecipheriv('aes-256-gcm', deriveKey(shared, ephPub, recipientPub), raw.subarray(33, 45));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(raw.subarray(45, 61));
    return Buffer.concat([decipher.update(raw.subarray(HEADER)), decipher.final()]);
  } catch {
    throw cannotOpen(context);
  }
}

function publicKeyFromPrivate(priv: KeyObject): Buffer {
  const spki = createPublicKey(priv).export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - 32);
}

function cannotOpen(context: string): ShoalError {
  // The context names a record, never a value.
  return new ShoalError(ErrorCode.CorruptStore, `cannot open sealed value (${context}): wrong key, or the data was changed`);
}
