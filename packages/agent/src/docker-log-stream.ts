/**
 * Docker's multiplexed log format (no TTY): frames of an 8-byte header
 * (stream type, 3 zero bytes, big-endian length) and a payload. With
 * `timestamps`, each line starts with an RFC 3339 nano timestamp.
 */
import type { LogLine } from './driver.js';

export async function* demuxLogLines(chunks: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<LogLine> {
  let buf: Buffer = Buffer.alloc(0);
  const partial = { stdout: '', stderr: '' };
  for await (const chunk of chunks) {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= 8) {
      const size = buf.readUInt32BE(4);
      if (buf.length < 8 + size) break;
      const stream = buf[0] === 2 ? 'stderr' : 'stdout';
      const text = partial[stream] + buf.subarray(8, 8 + size).toString('utf8');
      buf = buf.subarray(8 + size);
      const lines = text.split('\n');
      partial[stream] = lines.pop() ?? '';
      for (const raw of lines) yield parseLine(stream, raw);
    }
  }
  for (const stream of ['stdout', 'stderr'] as const) if (partial[stream]) yield parseLine(stream, partial[stream]);
}

function parseLine(stream: 'stdout' | 'stderr', raw: string): LogLine {
  const space = raw.indexOf(' ');
  const ts = space > 0 ? Date.parse(raw.slice(0, space)) : NaN;
  return Number.isNaN(ts) ? { stream, line: raw, ts: Date.now() } : { stream, line: raw.slice(space + 1), ts };
}
