/**
 * Reads a task's stdout/stderr log files as lines, optionally following them.
 * Files carry no per-line timestamps: past lines get the file's mtime,
 * followed lines the time they were read. Streams are not interleaved in
 * time order; `tail` applies to each stream.
 */
import { open, stat, readFile } from 'node:fs/promises';
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
    const { text, size, mtimeMs } = await readWhole(f.path);
    offsets.set(f.path, size);
    let lines = text.split('\n');
    partial.set(f.path, lines.pop() ?? '');
    if (opts.tail !== undefined) lines = opts.tail === 0 ? [] : lines.slice(-opts.tail);
    for (const line of lines) yield { stream: f.stream, line, ts: mtimeMs };
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

async function readWhole(path: string): Promise<{ text: string; size: number; mtimeMs: number }> {
  try {
    const [buf, st] = await Promise.all([readFile(path), stat(path)]);
    return { text: buf.toString('utf8'), size: buf.length, mtimeMs: Math.floor(st.mtimeMs) };
  } catch {
    return { text: '', size: 0, mtimeMs: Date.now() };
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
