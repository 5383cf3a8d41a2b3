/**
 * Request/response over `/shoal/rpc/1`: one stream per call, one frame each
 * way. Handlers are registered per method. A peer that is not on the
 * allowlist may only call the methods in `openMethods` (the join handshake);
 * everything else answers UNAUTHORIZED.
 */
import type { Libp2p, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { ErrorCode, ShoalError } from '@shoal/types';
import { encodeFrames, FrameDecoder } from './frames.js';
import type { Logger } from './logger.js';
import { decodeRpcRequest, decodeRpcResponse, encodeRpcRequest, encodeRpcResponse, errorResponse, MAX_RPC_BYTES, type RpcResponse } from './rpc-codec.js';

export const RPC_PROTOCOL = '/shoal/rpc/1';
/** A method a peer outside the allowlist may call (others are opened with handle(..., {open: true})). */
export const JOIN_METHOD = 'join';
const DEFAULT_TIMEOUT_MS = 10_000;
/** A caller must send its request within this time, or the stream is dropped. */
const REQUEST_READ_TIMEOUT_MS = 10_000;

export type RpcHandler = (from: string, body: unknown) => Promise<unknown>;

export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface RpcStats {
  served: number;
  failed: number;
  refused: number;
  badRequests: number;
}

export class RpcEndpoint {
  readonly stats: RpcStats = { served: 0, failed: 0, refused: 0, badRequests: 0 };
  private readonly handlers = new Map<string, RpcHandler>();
  private readonly openMethods = new Set([JOIN_METHOD]);

  constructor(
    private readonly libp2p: Libp2p,
    private readonly allow: (peerId: string) => boolean,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.libp2p.handle(RPC_PROTOCOL, ({ stream, connection }) => void this.serve(connection.remotePeer.toString(), stream), {
      maxInboundStreams: 256,
      maxOutboundStreams: 256,
    });
  }

  /** `open`: non-members may call it too (the join handshake, a removed node asking about itself). */
  handle(method: string, handler: RpcHandler, opts: { open?: boolean } = {}): void {
    this.handlers.set(method, handler);
    if (opts.open) this.openMethods.add(method);
  }

  async request(peerId: string, method: string, body: unknown, opts: RequestOptions = {}): Promise<unknown> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
    const payload = encodeFrames([encodeRpcRequest({ method, body })]);
    let stream: Stream | undefined;
    try {
      stream = await this.libp2p.dialProtocol(peerIdFromString(peerId), RPC_PROTOCOL, { signal });
      const response = await exchange(stream, payload, signal);
      const res = decodeRpcResponse(response);
      if (!res.ok) throw new ShoalError(res.error.code, res.error.message, { peer: peerId, method });
      return res.body;
    } catch (err) {
      stream?.abort(err as Error);
      throw toRequestError(err, signal, opts.signal, peerId, method, timeoutMs);
    }
  }

  private async serve(from: string, stream: Stream): Promise<void> {
    const signal = AbortSignal.timeout(REQUEST_READ_TIMEOUT_MS);
    let method = '?';
    try {
      const req = decodeRpcRequest(await readOneFrame(stream, signal));
      method = req.method;
      const res = await this.dispatch(from, req.method, req.body);
      await stream.sink([encodeFrames([encodeRpcResponse(res)])]);
    } catch (err) {
      this.stats.badRequests++;
      this.log.debug({ peer: from, method, err: (err as Error).message }, 'rpc stream failed');
      if (err instanceof ShoalError) {
        await stream.sink([encodeFrames([encodeRpcResponse(errorResponse(err, method))])]).catch(() => {});
      }
      stream.abort(err as Error);
    }
  }

  private async dispatch(from: string, method: string, body: unknown): Promise<RpcResponse> {
    if (!this.openMethods.has(method) && !this.allow(from)) {
      this.stats.refused++;
      return errorResponse(new ShoalError(ErrorCode.Unauthorized, `peer ${from} is not a member of this cluster; join it first with a valid token`), method);
    }
    const handler = this.handlers.get(method);
    if (!handler) return errorResponse(new ShoalError(ErrorCode.NotFound, `unknown rpc method ${method}; are both nodes the same shoal version?`), method);
    try {
      const result = await handler(from, body);
      this.stats.served++;
      return { ok: true, body: result };
    } catch (err) {
      this.stats.failed++;
      if (!(err instanceof ShoalError)) this.log.warn({ peer: from, method, err: (err as Error)?.message }, 'rpc handler failed');
      return errorResponse(err, method);
    }
  }
}

/** Writes one request frame, closes our side, reads one response frame. */
async function exchange(stream: Stream, payload: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
  await stream.sink([payload]);
  return readOneFrame(stream, signal);
}

async function readOneFrame(stream: Stream, signal: AbortSignal): Promise<Uint8Array> {
  const onAbort = () => stream.abort(new ShoalError(ErrorCode.Timeout, 'rpc stream timed out'));
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const decoder = new FrameDecoder(MAX_RPC_BYTES);
    for await (const chunk of stream.source) {
      const frames = decoder.push(chunk.subarray());
      if (frames.length > 0) return frames[0];
    }
    throw new ShoalError(ErrorCode.BadMessage, 'rpc stream ended before a complete message');
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function toRequestError(err: unknown, signal: AbortSignal, caller: AbortSignal | undefined, peer: string, method: string, timeoutMs: number): ShoalError {
  if (caller?.aborted) return new ShoalError(ErrorCode.Aborted, `rpc ${method} to ${peer} was cancelled`, { peer, method });
  if (signal.aborted) return new ShoalError(ErrorCode.Timeout, `rpc ${method} to ${peer} got no answer within ${timeoutMs} ms; is the peer up?`, { peer, method });
  if (err instanceof ShoalError && err.details?.peer === peer) return err;
  if (err instanceof ShoalError) return new ShoalError(err.code, err.message, { peer, method });
  return new ShoalError(ErrorCode.Internal, `cannot reach peer ${peer} for rpc ${method}: ${(err as Error)?.message ?? String(err)}`, {
    peer,
    method,
    unreachable: true,
  });
}
