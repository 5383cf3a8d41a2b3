/**
 * ShoalError <-> HTTP. The server answers every failure with
 * `{error: {code, message, details?}}`; the client turns that back into a
 * ShoalError with the same code and message.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, ShoalError, isShoalError } from '@shoal/types';

const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.InvalidSpec]: 400,
  [ErrorCode.DangerousSpec]: 400,
  [ErrorCode.LimitExceeded]: 400,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.MessageTooLarge]: 413,
  // NOT_LEADER should not reach users (the daemon forwards), but if it does it is retryable.
  [ErrorCode.NotLeader]: 503,
  [ErrorCode.NoQuorum]: 503,
  [ErrorCode.NodeRemoved]: 503,
  [ErrorCode.Timeout]: 504,
  // The node's disk, not the request, is at fault: say so, and let clients retry elsewhere.
  [ErrorCode.DiskFull]: 507,
  [ErrorCode.StorageFailed]: 503,
  [ErrorCode.CorruptStore]: 503,
};

const DISK_FULL = new Set(['ENOSPC', 'EDQUOT']);
const DISK_BROKEN = new Set(['EIO', 'EROFS', 'EACCES', 'EPERM', 'EMFILE', 'ENFILE', 'LEVEL_IO_ERROR']);

/** Raw file-system errors (a log read, a data-dir write) as coded ones instead of a 500. */
function diskError(err: unknown): ShoalError | null {
  const code = (err as { code?: unknown })?.code;
  const causeCode = ((err as { cause?: { code?: unknown } })?.cause)?.code;
  const c = typeof code === 'string' ? code : typeof causeCode === 'string' ? causeCode : '';
  const message = (err as Error)?.message ?? String(err);
  if (DISK_FULL.has(c)) return new ShoalError(ErrorCode.DiskFull, `this node's disk is full (${message}); free space on it, or use another node`);
  if (DISK_BROKEN.has(c)) return new ShoalError(ErrorCode.StorageFailed, `this node cannot use its disk (${message}); check the data dir's permissions and the disk, or use another node`);
  return null;
}

export interface ErrorContext {
  /** The server's body limit in bytes, named in 413 answers. */
  bodyLimit?: number;
}

export function httpStatusFor(code: string): number {
  return STATUS[code as ErrorCode] ?? 500;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export function errorBody(err: ShoalError): ErrorBody {
  return { error: err.toJSON() };
}

/** Turn whatever was thrown (backend, fastify, validation) into a ShoalError. */
export function toShoalError(err: unknown, ctx: ErrorContext = {}): ShoalError {
  if (isShoalError(err)) return err;
  const disk = diskError(err);
  if (disk) return disk;
  const fe = err as FastifyError;
  if (fe && fe.validation) {
    return new ShoalError(ErrorCode.InvalidSpec, fe.message, { location: fe.validationContext, errors: fe.validation.map((v) => ({ path: v.instancePath, message: v.message })) });
  }
  switch (fe?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ShoalError(
        ErrorCode.MessageTooLarge,
        ctx.bodyLimit !== undefined ? `request body too large: this API accepts at most ${ctx.bodyLimit} bytes` : 'request body too large',
        ctx.bodyLimit !== undefined ? { limitBytes: ctx.bodyLimit } : undefined,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ShoalError(ErrorCode.InvalidSpec, 'request body must be JSON (content-type: application/json)');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ShoalError(ErrorCode.InvalidSpec, 'request body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      if (/forbidden prototype property|__proto__|constructor\.prototype/i.test(fe.message)) {
        return new ShoalError(ErrorCode.InvalidSpec, 'request body uses a reserved key ("__proto__" or "constructor.prototype"); no field of this API has that name: remove it');
      }
      return new ShoalError(ErrorCode.InvalidSpec, `request body is not valid JSON: ${fe.message}`);
  }
  if (fe instanceof SyntaxError && /forbidden prototype property/i.test(fe.message)) {
    return new ShoalError(ErrorCode.InvalidSpec, 'request body uses a reserved key ("__proto__" or "constructor.prototype"); no field of this API has that name: remove it');
  }
  if (fe instanceof SyntaxError || fe?.statusCode === 400) {
    return new ShoalError(ErrorCode.InvalidSpec, `bad request: ${fe.message}`);
  }
  return new ShoalError(ErrorCode.Internal, `internal error: ${fe?.message ?? String(err)}`);
}

export function handleError(err: unknown, request: FastifyRequest, reply: FastifyReply, ctx: ErrorContext = {}): void {
  const shoal = toShoalError(err, ctx);
  const status = httpStatusFor(shoal.code);
  if (status >= 500) request.log.error({ err, code: shoal.code }, 'request failed');
  void reply.status(status).send(errorBody(shoal));
}
