import type { NodeId } from '@shoal/raft';
import type { EventQueue } from './event-queue.js';
import type { History, HistoryOp } from './history.js';
import type { KvCommand, KvOp, KvResult } from './kv.js';
import { opKey } from './kv.js';
import type { ClientReply, ClientRequest } from './sim-node.js';
import type { Rng } from './rng.js';

export interface ClientEnv {
  queue: EventQueue;
  rng: Rng;
  history: History;
  keys: readonly string[];
  /** Nodes a client may contact (every node ever started). */
  nodes(): NodeId[];
  /** Delivers a request to a node after network latency; lost if the node is down. */
  sendRequest(node: NodeId, req: ClientRequest): void;
  /** A write was acknowledged: it must survive. */
  acknowledged(op: string): void;
  /** Chance that a read goes through ReadIndex rather than the log. */
  readIndexShare: number;
  attemptTimeout: number;
  opDeadline: number;
}

interface InFlight {
  cmd: KvCommand;
  hop: HistoryOp;
  attempt: number;
  startedAt: number;
  readIndex: boolean;
}

/**
 * A client of the key-value service: one operation at a time, sent to the
 * node it believes leads, retried (same id) on NotLeader, errors and
 * timeouts, and abandoned after a deadline, which leaves its outcome unknown.
 */
export class SimClient {
  private seq = 0;
  private current: InFlight | null = null;
  private leaderGuess: NodeId | null = null;
  private lastSeen = new Map<string, string | null>();
  /** When false, the client finishes its operation and starts no new one. */
  active = true;
  completed = 0;
  abandoned = 0;

  constructor(
    readonly id: string,
    private readonly env: ClientEnv,
  ) {}

  get busy(): boolean {
    return this.current !== null;
  }

  begin(): void {
    this.env.queue.after(this.env.rng.int(20), () => this.next());
  }

  onReply(req: ClientRequest, from: NodeId, reply: ClientReply): void {
    const cur = this.current;
    if (!cur || req.cmd.seq !== cur.cmd.seq) return;
    switch (reply.kind) {
      case 'ok':
        this.finish(cur, reply.result);
        return;
      case 'notLeader':
        if (req.attempt !== cur.attempt) return;
        this.leaderGuess = reply.hint && reply.hint !== from ? reply.hint : null;
        this.retry(cur, this.leaderGuess ? 0 : 5 + this.env.rng.int(20));
        return;
      case 'error':
        if (req.attempt !== cur.attempt) return;
        this.leaderGuess = null;
        this.retry(cur, 5 + this.env.rng.int(20));
        return;
    }
  }

  private next(): void {
    this.current = null;
    if (!this.active) return;
    const cmd: KvCommand = { client: this.id, seq: ++this.seq, op: this.pickOp() };
    const hop = this.env.history.invoke(this.id, cmd.op, opKey(this.id, cmd.seq));
    const cur: InFlight = { cmd, hop, attempt: 0, startedAt: this.env.queue.now, readIndex: cmd.op.kind === 'get' && this.env.rng.chance(this.env.readIndexShare) };
    this.current = cur;
    this.send(cur);
  }

  private pickOp(): KvOp {
    const { rng, keys } = this.env;
    const key = rng.pick(keys);
    const value = `${this.id}.${this.seq}`;
    const roll = rng.next();
    if (roll < 0.35) return { kind: 'put', key, value };
    if (roll < 0.75) return { kind: 'get', key };
    const seen = this.lastSeen.get(key);
    return { kind: 'cas', key, expect: seen === undefined || rng.chance(0.2) ? null : seen, value };
  }

  private send(cur: InFlight): void {
    const nodes = this.env.nodes();
    const target = this.leaderGuess ?? this.env.rng.pick(nodes);
    const attempt = ++cur.attempt;
    this.env.sendRequest(target, { client: this.id, attempt, cmd: cur.cmd, readIndex: cur.readIndex });
    this.env.queue.after(this.env.attemptTimeout, () => {
      if (this.current !== cur || cur.attempt !== attempt) return;
      this.leaderGuess = null;
      this.retry(cur, 0);
    });
  }

  private retry(cur: InFlight, delay: number): void {
    if (this.env.queue.now - cur.startedAt >= this.env.opDeadline) {
      // Give up: the outcome stays unknown (the write may still commit later).
      this.abandoned++;
      this.next();
      return;
    }
    this.env.queue.after(delay, () => {
      if (this.current === cur) this.send(cur);
    });
  }

  private finish(cur: InFlight, result: KvResult): void {
    this.env.history.complete(cur.hop, result);
    this.completed++;
    const op = cur.cmd.op;
    if ('value' in result) this.lastSeen.set(op.key, result.value);
    if (op.kind === 'put' || (op.kind === 'cas' && 'swapped' in result && result.swapped)) {
      this.lastSeen.set(op.key, op.value);
      this.env.acknowledged(opKey(this.id, cur.cmd.seq));
    }
    this.current = null;
    this.env.queue.after(this.env.rng.int(15), () => this.next());
  }
}
