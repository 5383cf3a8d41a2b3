import type { KvOp, KvResult } from './kv.js';
import type { HistoryOp } from './history.js';

/**
 * Linearizability checker for the key-value history: the Wing & Gong
 * search with Lowe's memoisation (the algorithm of Porcupine and Knossos),
 * run per key since keys are independent. Operations with an unknown outcome
 * return at infinity and accept any output, so a write the client gave up on
 * may take effect at any later point or, placed last, never be observed.
 */
export type CheckOutcome = { ok: true } | { ok: false; key: string; ops: HistoryOp[] } | { ok: 'unknown'; key: string; reason: string };

type Value = string | null;

interface Node {
  op: HistoryOp | null;
  isCall: boolean;
  match: Node | null;
  prev: Node | null;
  next: Node | null;
  /** Dense index of the operation within its key's history. */
  slot: number;
}

export function checkLinearizable(ops: readonly HistoryOp[], budget = 2_000_000): CheckOutcome {
  const byKey = new Map<string, HistoryOp[]>();
  for (const op of ops) {
    // A read whose answer never arrived has no effect and constrains nothing.
    if (op.output === null && op.input.kind === 'get') continue;
    const list = byKey.get(op.input.key) ?? [];
    list.push(op);
    byKey.set(op.input.key, list);
  }
  for (const key of [...byKey.keys()].sort()) {
    const res = checkKey(byKey.get(key)!, budget);
    if (res === 'unknown') return { ok: 'unknown', key, reason: `search budget of ${budget} steps exhausted` };
    if (!res) return { ok: false, key, ops: byKey.get(key)! };
  }
  return { ok: true };
}

/** The sequential specification of one key. Returns the next state, or undefined if `out` is impossible. */
function step(state: Value, input: KvOp, out: KvResult | null): Value | undefined {
  switch (input.kind) {
    case 'put':
      return input.value;
    case 'get':
      return out && 'value' in out && out.value === state ? state : undefined;
    case 'cas': {
      const can = state === input.expect;
      if (out === null) return can ? input.value : state;
      if (!('swapped' in out) || out.swapped !== can) return undefined;
      return can ? input.value : state;
    }
  }
}

function buildList(ops: readonly HistoryOp[]): Node {
  const events: { t: number; node: Node }[] = [];
  ops.forEach((op, slot) => {
    const call: Node = { op, isCall: true, match: null, prev: null, next: null, slot };
    const ret: Node = { op, isCall: false, match: null, prev: null, next: null, slot };
    call.match = ret;
    events.push({ t: op.call, node: call }, { t: op.ret, node: ret });
  });
  // Ties only happen between infinite returns; their order does not matter.
  events.sort((a, b) => (a.t === b.t ? 0 : a.t < b.t ? -1 : 1));
  const head: Node = { op: null, isCall: false, match: null, prev: null, next: null, slot: -1 };
  let prev = head;
  for (const { node } of events) {
    prev.next = node;
    node.prev = prev;
    prev = node;
  }
  return head;
}

function lift(call: Node): void {
  call.prev!.next = call.next;
  if (call.next) call.next.prev = call.prev;
  const ret = call.match!;
  ret.prev!.next = ret.next;
  if (ret.next) ret.next.prev = ret.prev;
}

function unlift(call: Node): void {
  const ret = call.match!;
  ret.prev!.next = ret;
  if (ret.next) ret.next.prev = ret;
  call.prev!.next = call;
  if (call.next) call.next.prev = call;
}

function checkKey(ops: readonly HistoryOp[], budget: number): boolean | 'unknown' {
  const head = buildList(ops);
  const words = new Uint32Array(Math.ceil(ops.length / 32) + 1);
  const seen = new Set<string>();
  const stack: { node: Node; state: Value }[] = [];
  let state: Value = null;
  let entry = head.next;
  let steps = 0;
  while (head.next !== null) {
    if (++steps > budget) return 'unknown';
    if (entry === null) return false;
    if (entry.isCall) {
      const next = step(state, entry.op!.input, entry.op!.output);
      if (next !== undefined) {
        words[entry.slot >> 5] ^= 1 << (entry.slot & 31);
        const key = `${words.join(',')}|${next === null ? '\u0000' : next}`;
        if (!seen.has(key)) {
          seen.add(key);
          stack.push({ node: entry, state });
          state = next;
          lift(entry);
          entry = head.next;
          continue;
        }
        words[entry.slot >> 5] ^= 1 << (entry.slot & 31);
      }
      entry = entry.next;
    } else {
      // A return with its call not yet linearized: backtrack.
      const top = stack.pop();
      if (!top) return false;
      state = top.state;
      words[top.node.slot >> 5] ^= 1 << (top.node.slot & 31);
      unlift(top.node);
      entry = top.node.next;
    }
  }
  return true;
}
