/**
 * The workload's state machine: a tiny key-value store with put, get and
 * compare-and-set, applied from committed Raft entries. Every command carries
 * (client, seq); a client has one command in flight, so a session table of
 * the last seq per client makes a retried write apply at most once, and a
 * write abandoned by its client and committed late is ignored.
 */
export type KvOp = { kind: 'put'; key: string; value: string } | { kind: 'get'; key: string } | { kind: 'cas'; key: string; expect: string | null; value: string };

export interface KvCommand {
  client: string;
  seq: number;
  op: KvOp;
}

/** put: null; get: the value; cas: whether it swapped. */
export type KvResult = { value: string | null } | { swapped: boolean } | { ok: true };

interface Session {
  seq: number;
  result: KvResult;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeKvCommand(cmd: KvCommand): Uint8Array {
  return encoder.encode(JSON.stringify(cmd));
}

export function decodeKvCommand(data: Uint8Array): KvCommand {
  return JSON.parse(decoder.decode(data)) as KvCommand;
}

export function opKey(client: string, seq: number): string {
  return `${client}#${seq}`;
}

export class KvStore {
  private data = new Map<string, string>();
  private sessions = new Map<string, Session>();
  /** Every (client, seq) that took effect: the end-of-run lost-write check reads it. */
  private appliedOps = new Set<string>();
  applied = 0;

  /** Applies a command; returns its result, or null when it is a stale retry that must not run. */
  apply(index: number, cmd: KvCommand): KvResult | null {
    this.applied = index;
    const s = this.sessions.get(cmd.client);
    if (s && cmd.seq < s.seq) return null;
    if (s && cmd.seq === s.seq) return s.result;
    const result = this.execute(cmd.op);
    this.sessions.set(cmd.client, { seq: cmd.seq, result });
    this.appliedOps.add(opKey(cmd.client, cmd.seq));
    return result;
  }

  /** Marks an entry with no command (no-op, conf change) as applied. */
  skip(index: number): void {
    this.applied = index;
  }

  get(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  hasApplied(key: string): boolean {
    return this.appliedOps.has(key);
  }

  snapshot(): Uint8Array {
    return encoder.encode(
      JSON.stringify({
        applied: this.applied,
        data: [...this.data].sort(),
        sessions: [...this.sessions].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
        ops: [...this.appliedOps].sort(),
      }),
    );
  }

  static restore(bytes: Uint8Array): KvStore {
    const kv = new KvStore();
    if (bytes.length === 0) return kv;
    const s = JSON.parse(decoder.decode(bytes)) as { applied: number; data: [string, string][]; sessions: [string, Session][]; ops: string[] };
    kv.applied = s.applied;
    kv.data = new Map(s.data);
    kv.sessions = new Map(s.sessions);
    kv.appliedOps = new Set(s.ops);
    return kv;
  }

  /** A canonical digest of the state, to compare replicas at the same applied index. */
  digest(): string {
    return decoder.decode(this.snapshot());
  }

  private execute(op: KvOp): KvResult {
    switch (op.kind) {
      case 'put':
        this.data.set(op.key, op.value);
        return { ok: true };
      case 'get':
        return { value: this.get(op.key) };
      case 'cas': {
        if (this.get(op.key) !== op.expect) return { swapped: false };
        this.data.set(op.key, op.value);
        return { swapped: true };
      }
    }
  }
}
