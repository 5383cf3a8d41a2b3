/** The edges RaftHost talks to: the network and the replicated state machine. */
import type { Entry, Message } from '@shoal/raft';

/** Carries Raft messages between nodes; the p2p layer implements it, MemoryNetwork doubles it. */
export interface RaftTransport {
  /** Best effort: Raft retries, so a dropped message is fine; must not throw. */
  send(msgs: Message[]): void;
  onMessage(handler: (m: Message) => void): void;
}

/** The replicated state machine. `apply` must be deterministic. */
export interface StateMachine {
  /** Applies one committed normal entry; the result goes back to the proposer. */
  apply(entry: Entry): unknown;
  /** The whole state, to compact the log and to send to lagging followers. */
  snapshot(): Uint8Array;
  /** Replaces the whole state with a snapshot. */
  restore(data: Uint8Array): void;
}

/** pino-compatible subset. */
export interface HostLogger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
}

export const silentLogger: HostLogger = { info() {}, warn() {}, error() {}, debug() {} };
