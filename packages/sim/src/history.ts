import type { KvOp, KvResult } from './kv.js';

/**
 * One client operation as the checker sees it. `call` and `ret` are points
 * of one global logical clock (strictly increasing across all events);
 * an operation whose outcome the client never learned has `output: null`
 * and `ret: Infinity`: it may have taken effect at any point after its call,
 * or never.
 */
export interface HistoryOp {
  id: number;
  client: string;
  input: KvOp;
  output: KvResult | null;
  call: number;
  ret: number;
  /** The operation's (client, seq) id as the state machine records it, when it has one. */
  tag?: string;
}

/** Records the client history of a run. */
export class History {
  readonly ops: HistoryOp[] = [];
  private clock = 0;

  invoke(client: string, input: KvOp, tag?: string): HistoryOp {
    const op: HistoryOp = { id: this.ops.length, client, input, output: null, call: ++this.clock, ret: Infinity, tag };
    this.ops.push(op);
    return op;
  }

  complete(op: HistoryOp, output: KvResult): void {
    op.output = output;
    op.ret = ++this.clock;
  }
}
