/**
 * Coded errors. Every error a user can meet has a stable `code` and a
 * message that says what to do. The API maps codes to HTTP statuses; the CLI
 * prints `message` (never a stack trace).
 */
export const ErrorCode = {
  InvalidSpec: 'INVALID_SPEC',
  DangerousSpec: 'DANGEROUS_SPEC',
  LimitExceeded: 'LIMIT_EXCEEDED',
  NotFound: 'NOT_FOUND',
  Conflict: 'CONFLICT',
  NotLeader: 'NOT_LEADER',
  NoQuorum: 'NO_QUORUM',
  Unauthorized: 'UNAUTHORIZED',
  Forbidden: 'FORBIDDEN',
  BadMessage: 'BAD_MESSAGE',
  MessageTooLarge: 'MESSAGE_TOO_LARGE',
  CorruptStore: 'CORRUPT_STORE',
  DiskFull: 'DISK_FULL',
  StorageFailed: 'STORAGE_FAILED',
  DriverUnavailable: 'DRIVER_UNAVAILABLE',
  ImageNotFound: 'IMAGE_NOT_FOUND',
  Timeout: 'TIMEOUT',
  Aborted: 'ABORTED',
  BadConfig: 'BAD_CONFIG',
  /** This node was removed from its cluster: it must rejoin with a fresh data dir. */
  NodeRemoved: 'NODE_REMOVED',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class ShoalError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  /**
   * `options.cause`: the error this one explains (ES2022 error cause), kept
   * for logs and SHOAL_DEBUG, never sent to a client (toJSON leaves it out).
   */
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ShoalError';
    this.code = code;
    this.details = details;
  }
  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

/** A proposal reached a node that is not the leader. `leaderHint` is the leader it knows, if any. */
export class NotLeaderError extends ShoalError {
  readonly leaderHint: string | null;
  constructor(leaderHint: string | null) {
    super(ErrorCode.NotLeader, leaderHint ? `not the leader; the leader is ${leaderHint}` : 'not the leader, and no leader is known yet; retry shortly', { leaderHint });
    this.name = 'NotLeaderError';
    this.leaderHint = leaderHint;
  }
}

export function isShoalError(err: unknown): err is ShoalError {
  return err instanceof Error && typeof (err as ShoalError).code === 'string' && 'details' in err;
}
