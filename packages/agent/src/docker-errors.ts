/** Turns dockerode's errors into coded errors that say what to do. */
import { ErrorCode, ShoalError } from '@shoal/types';

interface DockerodeError {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
  reason?: string;
  message?: string;
}

const ENGINE_DOWN = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EPIPE']);

export function engineUnavailable(err: unknown): boolean {
  const e = err as DockerodeError;
  return typeof e?.code === 'string' && ENGINE_DOWN.has(e.code);
}

export function dockerMessage(err: unknown): string {
  const e = err as DockerodeError;
  return e?.json?.message ?? e?.reason ?? e?.message ?? String(err);
}

export function statusOf(err: unknown): number | undefined {
  return (err as DockerodeError)?.statusCode;
}

/** DRIVER_UNAVAILABLE when the engine cannot be reached; otherwise a ShoalError with `fallback`'s code. */
export function toShoalError(err: unknown, what: string, fallback: ErrorCode = ErrorCode.Internal): ShoalError {
  if (err instanceof ShoalError) return err;
  if (engineUnavailable(err)) {
    return new ShoalError(ErrorCode.DriverUnavailable, `docker driver: cannot reach the Docker engine (${(err as DockerodeError).code}) while trying to ${what}; start dockerd or check the socket path and its permissions`);
  }
  return new ShoalError(fallback, `docker driver: could not ${what}: ${dockerMessage(err)}`);
}
