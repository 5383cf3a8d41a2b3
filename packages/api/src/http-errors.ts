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
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.MessageTooLarge]: 413,
  // NOT_LEADER should not reach users (the daemon forwards), but if it does it is retryable.
  [ErrorCode.NotLeader]: 503,
  [ErrorCode.NoQuorum]: 503,
  [ErrorCode.Timeout]: 504,
};

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
export function toShoalError(err: unknown): ShoalError {
  if (isShoalError(err)) return err;
  const fe = err as FastifyError;
  if (fe && fe.validation) {
    return new ShoalError(ErrorCode.InvalidSpec, fe.message, { location: fe.validationContext, errors: fe.validation.map((v) => ({ path: v.instancePath, message: v.message })) });
  }
  switch (fe?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ShoalError(ErrorCode.MessageTooLarge, 'request body too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ShoalError(ErrorCode.InvalidSpec, 'request body must be JSON (content-type: application/json)');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ShoalError(ErrorCode.InvalidSpec, 'request body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ShoalError(ErrorCode.InvalidSpec, `request body is not valid JSON: ${fe.message}`);
  }
  if (fe instanceof SyntaxError || fe?.statusCode === 400) {
    return new ShoalError(ErrorCode.InvalidSpec, `bad request: ${fe.message}`);
  }
  return new ShoalError(ErrorCode.Internal, `internal error: ${fe?.message ?? String(err)}`);
}

export function handleError(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const shoal = toShoalError(err);
  const status = httpStatusFor(shoal.code);
  if (status >= 500) request.log.error({ err, code: shoal.code }, 'request failed');
  void reply.status(status).send(errorBody(shoal));
}
