/**
 * Reads a task's stdout/stderr log files as lines, optionally following them.
 * Files carry no per-line timestamps: past lines get the file's mtime,
 * followed lines the time they were read. Streams are not interleaved in
 * time order; `tail` applies to each stream.
 */
import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import type { LogLine } from './driver.js';

export interface LogFile {
  stream: 'stdout' | 'stderr';
  path: string;
}

const FOLLOW_POLL_MS = 200;

export async function* readLogFiles(
  files: LogFile[],
  opts: { follow: boolean; tail?: number; signal?: AbortSignal; isRunning: () => boolean },
): AsyncGenerator<LogLine> {
  const offsets = new Map<string, number>();
  const partial = new Map<string, string>();
  for (const f of files) {
    const { size, mtimeMs } = await sizeOf(f.path);
    offsets.set(f.path, size);
    // Only the last `tail` lines are read, from the end backwards: tail=1 of a 9 MB log reads a few KiB.
    const { lines, partial: rest } = opts.tail !== undefined ? await readTail(f.path, size, opts.tail) : { lines: null, partial: '' };
    if (lines) {
      partial.set(f.path, rest);
      for (const line of lines) yield { stream: f.stream, line, ts: mtimeMs };
      continue;
    }
    partial.set(f.path, '');
    for await (const line of readForward(f.path, size, partial)) yield { stream: f.stream, line, ts: mtimeMs };
  }
  if (!opts.follow) {
    for (const f of files) {
      const rest = partial.get(f.path);
      if (rest) yield { stream: f.stream, line: rest, ts: Date.now() };
    }
    return;
  }
  while (!opts.signal?.aborted) {
    const running = opts.isRunning();
    for (const f of files) {
      for (const line of await readNew(f.path, offsets, partial)) yield { stream: f.stream, line, ts: Date.now() };
    }
    if (!running) {
      // The process is gone and its output drained: the follow ends, as `docker logs -f` does.
      for (const f of files) {
        const rest = partial.get(f.path);
        if (rest) yield { stream: f.stream, line: rest, ts: Date.now() };
      }
      return;
    }
    await sleep(FOLLOW_POLL_MS, opts.signal);
  }
}

const CHUNK = 64 * 1024;

async function sizeOf(path: string): Promise<{ size: number; mtimeMs: number }> {
  try {
    const st = await stat(path);
    return { size: st.size, mtimeMs: Math.floor(st.mtimeMs) };
  } catch {
    return { size: 0, mtimeMs: Date.now() };
  }
}

/**
 * The last `n` complete lines before `size`, and the unterminated rest after
 * them, read in chunks from the end until enough newlines are seen.
 */
export async function readTail(path: string, size: number, n: number): Promise<{ lines: string[]; partial: string }> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return { lines: [], partial: '' };
  }
  try {
    const chunks: Buffer[] = [];
    let pos = size;
    let newlines = 0;
    // n complete lines need n newlines, plus the one ending the line before them.
    while (pos > 0 && newlines <= n) {
      const len = Math.min(CHUNK, pos);
      pos -= len;
      const buf = Buffer.alloc(len);
      const { bytesRead } = await fh.read(buf, 0, len, pos);
      const got = buf.subarray(0, bytesRead);
      for (const b of got) if (b === 0x0a) newlines++;
      chunks.unshift(got);
    }
    const all = Buffer.concat(chunks).toString('utf8').split('\n');
    const rest = all.pop() ?? '';
    if (pos > 0) all.shift(); // the first piece may be the end of a longer line
    return { lines: n === 0 ? [] : all.slice(-n), partial: rest };
  } finally {
    await fh.close();
  }
}

/** Every complete line before `size`, chunk by chunk; the unterminated rest goes to `partial`. */
async function* readForward(path: string, size: number, partial: Map<string, string>): AsyncGenerator<string> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return;
  }
  try {
    let pos = 0;
    let carry = '';
    const decoder = new StringDecoder('utf8'); // a character split across chunks stays whole
    while (pos < size) {
      const buf = Buffer.alloc(Math.min(CHUNK, size - pos));
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const lines = (carry + decoder.write(buf.subarray(0, bytesRead))).split('\n');
      carry = lines.pop() ?? '';
      yield* lines;
    }
    partial.set(path, carry + decoder.end());
  } finally {
    await fh.close();
  }
}

async function readNew(path: string, offsets: Map<string, number>, partial: Map<string, string>): Promise<string[]> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return [];
  }
  let offset = offsets.get(path) ?? 0;
  if (size < offset) offset = 0; // rotated (truncated): start over on the fresh file
  if (size === offset) {
    offsets.set(path, offset);
    return [];
  }
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(size - offset);
    const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
    offsets.set(path, offset + bytesRead);
    const lines = (partial.get(path) + buf.subarray(0, bytesRead).toString('utf8')).split('\n');
    partial.set(path, lines.pop() ?? '');
    return lines;
  } finally {
    await fh.close();
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
