/**
 * This node's part in secrets (design and threat model:
 * packages/secrets/README.md):
 *  - its X25519 seal key, `<data-dir>/seal.key` (0600), published in its registration;
 *  - on the leader, after every change: create/share the store key and seal
 *    per-node copies for the tasks that need them (@shoal/secrets' plan);
 *  - for its own agent, the plaintext of a secret its tasks use, opened
 *    from its own copy in the local replica;
 *  - sealing new secrets to the store's public key (any node can).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ErrorCode, ShoalError, SECRET_MAX_BYTES, type SecretKind, type Task } from '@shoal/types';
import type { SecretRecord } from '@shoal/state';
import { newSealKeyPair, openGrant, planRotation, planSecretDuties, sealKeyPairFromPrivate, sealSecretValue, type SealKeyPair } from '@shoal/secrets';
import type { FileSource, RegistryAuth } from '@shoal/agent';
import { writeDurable } from './data-dir.js';
import type { Logger } from 'pino';
import type { ClusterState, Command, CommandResult } from '@shoal/state';

/** What the secrets side needs from its node's runtime (kept narrow: the runtime owns this object). */
export interface SecretsHost {
  readonly state: ClusterState;
  readonly selfId: string;
  readonly log: Logger;
  readonly raft: { status(): { conf: { voters: string[] } } };
  isLeader(): boolean;
  propose(cmd: Command): Promise<{ result: CommandResult; index: number }>;
  newId(prefix: string): string;
}

/** How long a starting task waits for the leader to seal its node's copy. */
const GRANT_WAIT_MS = 30_000;

export function loadSealKey(dataDir: string): SealKeyPair {
  const file = join(dataDir, 'seal.key');
  if (existsSync(file)) {
    try {
      return sealKeyPairFromPrivate(readFileSync(file, 'utf8').trim());
    } catch (err) {
      throw new ShoalError(ErrorCode.CorruptStore, `${file} is unreadable (${(err as Error).message}); this node cannot open its secrets: restore the file or rejoin with a new data dir`);
    }
  }
  const pair = newSealKeyPair(randomBytes);
  writeDurable(file, pair.privateKey + '\n');
  return pair;
}

export class NodeSecrets {
  private running = false;
  private again = false;
  private registering = false;

  constructor(
    private readonly rt: SecretsHost,
    readonly key: SealKeyPair,
  ) {}

  /** After each applied batch: make sure our key is registered; on the leader, run the secret duties. */
  afterApply(): void {
    this.ensureRegistered();
    if (this.rt.isLeader()) void this.duties();
  }

  private ensureRegistered(): void {
    const self = this.rt.state.node(this.rt.selfId);
    if (!self || self.sealKey === this.key.publicKey || this.registering) return;
    this.registering = true;
    this.rt
      .propose({ type: 'node.update', at: Date.now(), nodeId: this.rt.selfId, sealKey: this.key.publicKey })
      .catch((err) => this.rt.log.warn({ err: String(err) }, 'could not publish this node\'s seal key; retrying on the next change'))
      .finally(() => (this.registering = false));
  }

  /** One pass at a time; a change during a pass runs another. */
  private async duties(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        const cmds = planSecretDuties(this.dutyInput());
        for (const cmd of cmds) {
          const { result } = await this.rt.propose(cmd);
          if (!result.ok) this.rt.log.warn({ cmd: cmd.type, code: result.error.code, reason: result.error.message }, 'secret duty refused');
        }
      } while (this.again && this.rt.isLeader());
    } catch (err) {
      this.rt.log.warn({ err: String(err) }, 'secret duties failed; retrying on the next change');
    } finally {
      this.running = false;
    }
  }

  private dutyInput() {
    return { state: this.rt.state, selfId: this.rt.selfId, selfPrivateKey: this.key.privateKey, voters: this.rt.raft.status().conf.voters, now: Date.now(), random: randomBytes };
  }

  /** `shoal cluster rotate-key`: only the leader holds what it takes. */
  async rotate(): Promise<{ keyId: string; resealed: number }> {
    if (!this.rt.isLeader()) throw new ShoalError(ErrorCode.Conflict, 'run rotate-key against the leader\'s API (see `shoal cluster status`)');
    const cmd = planRotation(this.dutyInput());
    const { result } = await this.rt.propose(cmd);
    if (!result.ok) throw new ShoalError(ErrorCode.Conflict, result.error.message);
    return { keyId: result.id ?? '', resealed: cmd.type === 'secretstore.key' ? cmd.reseal.length : 0 };
  }

  /** A new secret or config record; a secret's value is sealed here, on the node that received it. */
  seal(kind: SecretKind, name: string, value: Buffer, labels?: Record<string, string>): SecretRecord {
    if (value.length > SECRET_MAX_BYTES) throw new ShoalError(ErrorCode.InvalidSpec, `${kind} ${name} is ${value.length} bytes; the limit is ${SECRET_MAX_BYTES} bytes (500 KB)`);
    const id = this.rt.newId(kind === 'secret' ? 'x' : 'c');
    const base = { id, name, kind, size: value.length, createdAt: Date.now(), ...(labels && Object.keys(labels).length ? { labels } : {}) };
    if (kind === 'config') return { ...base, data: value.toString('base64') };
    const key = this.rt.state.storeKey();
    if (!key) throw new ShoalError(ErrorCode.Conflict, 'the cluster has no secret store key yet (the leader creates one as soon as its seal key is registered); retry in a moment');
    return { ...base, data: sealSecretValue(key, id, name, value, randomBytes), keyId: key.keyId };
  }

  /** Credentials for pulling a task's image (`--with-registry-auth`), from this node's own copy. */
  async registryAuth(task: Task): Promise<RegistryAuth | undefined> {
    const name = task.spec.registryAuth;
    if (!name) return undefined;
    const raw = await this.fileSource().secret(name);
    try {
      const doc = JSON.parse(raw.toString('utf8')) as RegistryAuth;
      return { username: doc.username, password: doc.password, serveraddress: doc.serveraddress };
    } catch {
      throw new ShoalError(ErrorCode.InvalidSpec, `secret ${name} does not hold registry credentials; store them with \`shoal registry login REGISTRY\``);
    } finally {
      raw.fill(0);
    }
  }

  /** The agent's source of plaintext: this node's own copies only. */
  fileSource(): FileSource {
    return {
      secret: async (name, signal) => {
        const deadline = Date.now() + GRANT_WAIT_MS;
        for (;;) {
          const rec = this.rt.state.secretRecord('secret', name);
          if (!rec) throw new ShoalError(ErrorCode.NotFound, `secret ${name} does not exist; create it with \`shoal secret create ${name} FILE\``);
          const grant = this.rt.state.grant(this.rt.selfId, rec.id);
          if (grant) return openGrant(this.key.privateKey, grant);
          if (Date.now() > deadline) throw new ShoalError(ErrorCode.Timeout, `secret ${name} was not sealed to this node within ${GRANT_WAIT_MS / 1000} s (the leader seals it once the task is assigned; is a leader up?)`);
          if (signal?.aborted) throw new ShoalError(ErrorCode.Aborted, 'task start cancelled');
          await new Promise((r) => setTimeout(r, 100));
        }
      },
      config: async (name) => {
        const rec = this.rt.state.secretRecord('config', name);
        if (!rec) throw new ShoalError(ErrorCode.NotFound, `config ${name} does not exist; create it with \`shoal config create ${name} FILE\``);
        return Buffer.from(rec.data, 'base64');
      },
    };
  }
}

/** Task files go to a tmpfs: /dev/shm where it exists (Linux), so plaintext never reaches a disk. */
export function taskFilesDir(nodeId: string): string {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  return join(base, `shoal-files-${nodeId.slice(-16)}`);
}
