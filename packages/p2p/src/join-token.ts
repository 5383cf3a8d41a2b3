/**
 * Cluster secrets and the join token. The token carries everything a new
 * node needs: the cluster id (to refuse joining the wrong cluster), the pnet
 * PSK (without it no handshake completes), the join secret (checked by the
 * leader against the stored sha256) and addresses to dial.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ErrorCode, ShoalError } from '@shoal/types';

export const JOIN_TOKEN_PREFIX = 'SHOAL-1-';
const MAX_TOKEN_CHARS = 8192;
const MAX_ADDRS = 32;

export interface ClusterSecrets {
  clusterId: string;
  /** 32 random bytes: the libp2p private-network key. */
  psk: Uint8Array;
  joinSecret: string;
}

export interface JoinToken {
  clusterId: string;
  psk: Uint8Array;
  secret: string;
  addrs: string[];
}

export function generateClusterSecrets(): ClusterSecrets {
  return { clusterId: randomUUID(), psk: new Uint8Array(randomBytes(32)), joinSecret: randomBytes(24).toString('base64url') };
}

/** sha256 hex of a join secret: what the cluster state stores. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function encodeJoinToken(t: JoinToken): string {
  if (t.psk.length !== 32) throw new ShoalError(ErrorCode.BadConfig, 'the cluster key must be 32 bytes');
  const json = JSON.stringify({ c: t.clusterId, k: Buffer.from(t.psk).toString('base64url'), s: t.secret, a: t.addrs });
  return JOIN_TOKEN_PREFIX + Buffer.from(json, 'utf8').toString('base64url');
}

export function decodeJoinToken(token: string): JoinToken {
  if (typeof token !== 'string') throw bad('it is not text');
  token = token.trim();
  if (token.length > MAX_TOKEN_CHARS) throw bad('it is too long');
  if (!token.startsWith(JOIN_TOKEN_PREFIX)) throw bad(`it must start with ${JOIN_TOKEN_PREFIX}`);
  const payload = token.slice(JOIN_TOKEN_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(payload)) throw bad('it contains characters that are not base64url (was it cut or wrapped?)');
  let o: unknown;
  try {
    o = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(payload, 'base64url')));
  } catch {
    throw bad('it does not decode (was it copied completely?)');
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw bad('its payload is not an object');
  const { c, k, s, a } = o as Record<string, unknown>;
  if (typeof c !== 'string' || c.length === 0 || c.length > 128) throw bad('the cluster id is missing');
  if (typeof s !== 'string' || s.length < 16 || s.length > 256) throw bad('the join secret is missing');
  if (typeof k !== 'string' || !/^[A-Za-z0-9_-]+$/.test(k)) throw bad('the cluster key is missing');
  const psk = new Uint8Array(Buffer.from(k, 'base64url'));
  if (psk.length !== 32) throw bad('the cluster key is not 32 bytes');
  if (!Array.isArray(a) || a.length > MAX_ADDRS || !a.every((x) => typeof x === 'string' && x.startsWith('/') && x.length <= 512)) {
    throw bad('the address list is invalid');
  }
  return { clusterId: c, psk, secret: s, addrs: a as string[] };
}

function bad(why: string): ShoalError {
  return new ShoalError(ErrorCode.BadConfig, `invalid join token: ${why}. Get a fresh one with \`shoal cluster token\` on a member node.`);
}
