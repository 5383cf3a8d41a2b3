/**
 * The node's data directory:
 *   cluster.json  cluster id and PSK (0600) once the node is in a cluster
 *   api.token     admin API bearer token (0600)
 *   peer.key      libp2p identity (written by @shoal/p2p)
 *   raft/         LevelDB: Raft log, hard state, snapshots
 *   tasks/        exec driver state (environment values included)
 *   task-logs/    task output, rotated
 * Private at every start: 0700 directories, 0600 files (data-dir-permissions.ts).
 * A data dir belongs to one cluster: starting it with another cluster's
 * token is refused.
 */
import { mkdirSync, rmSync, readFileSync, writeFileSync, existsSync, renameSync, openSync, fsyncSync, closeSync, accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ShoalError, ErrorCode } from '@shoal/types';
import { enforcePrivate, type PermissionFs } from './data-dir-permissions.js';

export interface ClusterIdentity {
  clusterId: string;
  /** hex of the 32-byte pnet pre-shared key */
  psk: string;
  createdAt: number;
  /** False while a join is under way: a restart must finish it with --join. */
  joined: boolean;
  /** Set once this node learned it was removed from the cluster: it never starts its runtime again. */
  removed?: { at: number; nodeId: string };
  /** Keys accepted besides `psk` while a PSK rotation is under way (hex). */
  pskAccept?: string[];
  /** The rotation under way: its new key and the last phase this node took. */
  rotation?: { next: string; phase: 'stage' | 'switch' | 'finish' };
}

export class DataDir {
  constructor(readonly root: string) {}

  get raftDir(): string {
    return join(this.root, 'raft');
  }
  get tasksDir(): string {
    return join(this.root, 'tasks');
  }
  get tokenFile(): string {
    return join(this.root, 'api.token');
  }

  /** Creates the data dir, checks it is writable and makes it private again (0700 dirs, 0600 files). */
  ensure(fs?: PermissionFs): { changed: number } {
    try {
      mkdirSync(this.root, { recursive: true, mode: 0o700 });
      accessSync(this.root, constants.W_OK);
    } catch (err) {
      throw new ShoalError(ErrorCode.BadConfig, `data dir ${this.root} is not writable: ${(err as Error).message}`);
    }
    return enforcePrivate(this.root, fs);
  }

  /** The admin API token; created (0600) on first start. */
  apiToken(): string {
    if (existsSync(this.tokenFile)) return readFileSync(this.tokenFile, 'utf8').trim();
    const token = randomBytes(24).toString('base64url');
    writeDurable(this.tokenFile, token + '\n');
    return token;
  }

  readIdentity(): ClusterIdentity | null {
    const file = join(this.root, 'cluster.json');
    if (!existsSync(file)) return null;
    try {
      const doc = JSON.parse(readFileSync(file, 'utf8')) as ClusterIdentity;
      if (doc.joined === undefined) doc.joined = true;
      if (typeof doc.clusterId !== 'string' || !/^[0-9a-f]{64}$/.test(doc.psk)) throw new Error('missing clusterId or psk');
      return doc;
    } catch (err) {
      throw new ShoalError(ErrorCode.CorruptStore, `${file} is unreadable (${(err as Error).message}); restore it from a backup or start with a new data dir`);
    }
  }

  clearIdentity(): void {
    rmSync(join(this.root, 'cluster.json'), { force: true });
  }

  writeIdentity(id: ClusterIdentity): void {
    writeDurable(join(this.root, 'cluster.json'), JSON.stringify(id, null, 2) + '\n');
  }
}

/** Write a small file atomically and durably (temp + fsync + rename), mode 0600. */
export function writeDurable(file: string, content: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
