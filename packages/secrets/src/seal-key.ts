/**
 * X25519 key pairs for sealing. A private key is its 32-byte seed (from the
 * injected random source) wrapped in PKCS#8 for node's crypto; keys travel
 * as base64url of the raw 32 bytes.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { ErrorCode, ShoalError } from '@shoal/types';
import type { RandomBytes } from './random.js';

/** The fixed PKCS#8 prefix of an X25519 private key (RFC 8410). */
const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');
/** The fixed SPKI prefix of an X25519 public key. */
const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex');

export interface SealKeyPair {
  /** base64url of the 32-byte private key: keep it secret. */
  privateKey: string;
  publicKey: string;
}

export function newSealKeyPair(random: RandomBytes): SealKeyPair {
  const seed = Buffer.from(random(32));
  if (seed.length !== 32) throw new ShoalError(ErrorCode.Internal, 'the random source gave the wrong number of bytes');
  return sealKeyPairFromPrivate(seed.toString('base64url'));
}

export function sealKeyPairFromPrivate(privateKey: string): SealKeyPair {
  const pub = createPublicKey(privateKeyObject(privateKey)).export({ format: 'der', type: 'spki' });
  return { privateKey, publicKey: Buffer.from(pub.subarray(SPKI_X25519.length)).toString('base64url') };
}

export function privateKeyObject(privateKey: string): KeyObject {
  const raw = Buffer.from(privateKey, 'base64url');
  if (raw.length !== 32) throw new ShoalError(ErrorCode.BadConfig, 'a seal private key must be 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_X25519, raw]), format: 'der', type: 'pkcs8' });
}

export function publicKeyObject(publicKey: string | Uint8Array): KeyObject {
  const raw = typeof publicKey === 'string' ? Buffer.from(publicKey, 'base64url') : Buffer.from(publicKey);
  if (raw.length !== 32) throw new ShoalError(ErrorCode.BadMessage, 'a seal public key must be 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_X25519, raw]), format: 'der', type: 'spki' });
}
