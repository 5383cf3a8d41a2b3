/**
 * The node's identity key (its peer id is its node id, so it must survive
 * restarts) and the pnet key in the swarm-key format libp2p expects.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { ErrorCode, ShoalError } from '@shoal/types';

export const PEER_KEY_FILE = 'peer.key';

/** Loads dataDir/peer.key, or creates it (Ed25519, mode 0600) on first start. */
export async function loadOrCreatePeerKey(dataDir: string): Promise<PrivateKey> {
  const file = join(dataDir, PEER_KEY_FILE);
  let bytes: Uint8Array | null = null;
  try {
    bytes = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ShoalError(ErrorCode.BadConfig, `cannot read ${file}: ${(err as Error).message}`);
  }
  if (bytes) {
    try {
      return asKey(privateKeyFromProtobuf(bytes));
    } catch {
      throw new ShoalError(ErrorCode.CorruptStore, `${file} is not a valid peer key; restore it from a backup (deleting it gives this node a new identity that must re-join)`);
    }
  }
  const key = await generateKeyPair('Ed25519');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(file, privateKeyToProtobuf(key), { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
  return asKey(key);
}

// @libp2p/crypto is typed against a second copy of @libp2p/interface in the
// tree; the objects are the same at runtime.
function asKey(key: unknown): PrivateKey {
  return key as PrivateKey;
}

/** Wraps 32 raw key bytes in libp2p's "/key/swarm/psk/1.0.0/" text format. */
export function swarmKey(psk: Uint8Array): Uint8Array {
  if (!(psk instanceof Uint8Array) || psk.length !== 32) throw new ShoalError(ErrorCode.BadConfig, 'the cluster key (psk) must be exactly 32 bytes');
  return new TextEncoder().encode('/key/swarm/psk/1.0.0/\n/base16/\n' + Buffer.from(psk).toString('hex'));
}

/** The node id (peer id) stored in dataDir/peer.key, or null when the node has no identity yet; never creates one. */
export async function readNodeId(dataDir: string): Promise<string | null> {
  const file = join(dataDir, PEER_KEY_FILE);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ShoalError(ErrorCode.BadConfig, `cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return peerIdFromPrivateKey(asKey(privateKeyFromProtobuf(bytes))).toString();
  } catch {
    throw new ShoalError(ErrorCode.CorruptStore, `${file} is not a valid peer key`);
  }
}
