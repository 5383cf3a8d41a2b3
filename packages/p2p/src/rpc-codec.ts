/**
 * The RPC envelope on `/shoal/rpc/1`: one request frame, one response frame,
 * both JSON. Decoding validates shape and size; the body itself is the
 * handler's to validate.
 */
import { ErrorCode, ShoalError } from '@shoal/types';

export const MAX_RPC_BYTES = 4 * 1024 * 1024;
const MAX_METHOD_CHARS = 64;
const METHOD = /^[A-Za-z0-9_.:$-]+$/;

export interface RpcRequest {
  method: string;
  body: unknown;
}

export type RpcResponse = { ok: true; body: unknown } | { ok: false; error: { code: ErrorCode; message: string } };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const CODES = new Set<string>(Object.values(ErrorCode));

export function encodeRpcRequest(req: RpcRequest): Uint8Array {
  checkMethod(req.method);
  return bounded(encoder.encode(JSON.stringify({ method: req.method, body: req.body ?? null })), 'request');
}

export function decodeRpcRequest(bytes: Uint8Array): RpcRequest {
  const o = parse(bytes, 'request');
  checkMethod(o.method);
  return { method: o.method as string, body: o.body ?? null };
}

export function encodeRpcResponse(res: RpcResponse): Uint8Array {
  return bounded(encoder.encode(JSON.stringify(res.ok ? { ok: true, body: res.body ?? null } : res)), 'response');
}

export function decodeRpcResponse(bytes: Uint8Array): RpcResponse {
  const o = parse(bytes, 'response');
  if (o.ok === true) return { ok: true, body: o.body ?? null };
  if (o.ok === false && typeof o.error === 'object' && o.error !== null) {
    const e = o.error as Record<string, unknown>;
    if (typeof e.message === 'string' && typeof e.code === 'string') {
      const code = CODES.has(e.code) ? (e.code as ErrorCode) : ErrorCode.Internal;
      return { ok: false, error: { code, message: e.message.slice(0, 4096) } };
    }
  }
  throw bad('response', 'expected {ok: true, body} or {ok: false, error: {code, message}}');
}

/** Turns any thrown value into what may be sent to a peer: no stacks, no internals. */
export function errorResponse(err: unknown, method: string): RpcResponse {
  if (err instanceof ShoalError) return { ok: false, error: { code: err.code, message: err.message } };
  return { ok: false, error: { code: ErrorCode.Internal, message: `internal error while handling ${method}; see the peer's log` } };
}

function checkMethod(method: unknown): void {
  if (typeof method !== 'string' || method.length === 0 || method.length > MAX_METHOD_CHARS || !METHOD.test(method)) {
    throw bad('request', 'method must be 1-64 characters of [A-Za-z0-9_.:$-]');
  }
}

function parse(bytes: Uint8Array, what: string): Record<string, unknown> {
  if (bytes.length > MAX_RPC_BYTES) throw new ShoalError(ErrorCode.MessageTooLarge, `rpc ${what} of ${bytes.length} bytes exceeds ${MAX_RPC_BYTES}`);
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    throw bad(what, 'not valid UTF-8 JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(what, 'not a JSON object');
  return value as Record<string, unknown>;
}

function bounded(bytes: Uint8Array, what: string): Uint8Array {
  if (bytes.length > MAX_RPC_BYTES) throw new ShoalError(ErrorCode.MessageTooLarge, `rpc ${what} of ${bytes.length} bytes exceeds ${MAX_RPC_BYTES}; send less data per call`);
  return bytes;
}

function bad(what: string, why: string): ShoalError {
  return new ShoalError(ErrorCode.BadMessage, `malformed rpc ${what}: ${why}`);
}
