/**
 * Long-lived responses: server-sent events (/v1/events) and newline-delimited
 * JSON (/v1/services/:name/logs). The backend's async iterable is drained
 * into the socket with back-pressure; when the client goes away the signal
 * aborts and the backend stops producing.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toShoalError } from './http-errors.js';

export type StreamFormat = 'sse' | 'ndjson';

const CONTENT_TYPE: Record<StreamFormat, string> = {
  sse: 'text/event-stream; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/** SSE comment lines keep proxies and idle timeouts from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

function encode(format: StreamFormat, item: unknown, id?: number): string {
  const json = JSON.stringify(item);
  if (format === 'ndjson') return json + '\n';
  return (id !== undefined ? `id: ${id}\n` : '') + `data: ${json}\n\n`;
}

function encodeError(format: StreamFormat, err: unknown): string {
  const body = { error: toShoalError(err).toJSON() };
  return format === 'ndjson' ? JSON.stringify(body) + '\n' : `event: error\ndata: ${JSON.stringify(body)}\n\n`;
}

export async function streamResponse<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  format: StreamFormat,
  produce: (signal: AbortSignal) => AsyncIterable<T>,
  idOf?: (item: T) => number,
): Promise<void> {
  const abort = new AbortController();
  const res = reply.raw;
  reply.hijack();
  res.writeHead(200, { 'content-type': CONTENT_TYPE[format], 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  const onClose = () => abort.abort();
  res.on('close', onClose);
  const keepalive = format === 'sse' ? setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS) : undefined;
  try {
    for await (const item of produce(abort.signal)) {
      if (abort.signal.aborted) break;
      if (!res.write(encode(format, item, idOf?.(item)))) {
        await new Promise<void>((resolve) => {
          res.once('drain', resolve);
          abort.signal.addEventListener('abort', () => resolve(), { once: true });
        });
      }
    }
  } catch (err) {
    if (!abort.signal.aborted) {
      request.log.warn({ err }, 'stream ended with an error');
      res.write(encodeError(format, err));
    }
  } finally {
    if (keepalive) clearInterval(keepalive);
    res.off('close', onClose);
    res.end();
  }
}
