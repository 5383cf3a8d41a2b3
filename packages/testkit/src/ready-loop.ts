/**
 * Driving a Raft node by hand in a test: take every Ready it has and
 * advance past it, as a host would without disks or a network. The node is
 * typed by its shape (etcd's Ready/Advance loop), so the kit needs no
 * dependency on @shoal/raft and raft's own tests can use it.
 */
export interface ReadyLoop<R> {
  hasReady(): boolean;
  ready(): R;
  advance(rd: R): void;
}

/** Every Ready the node has until it has none, each advanced past, in order. */
export function drainReady<R>(node: ReadyLoop<R>): R[] {
  const out: R[] = [];
  while (node.hasReady()) {
    const rd = node.ready();
    out.push(rd);
    node.advance(rd);
  }
  return out;
}

/** The messages of every Ready the node has until it has none. */
export function drainMessages<M>(node: ReadyLoop<{ messages: readonly M[] }>): M[] {
  return drainReady(node).flatMap((rd) => rd.messages);
}
