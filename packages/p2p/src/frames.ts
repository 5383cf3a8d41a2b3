/**
 * Length-prefixed framing (unsigned LEB128 varint length, then the bytes; the
 * same wire format as it-length-prefixed) with our own incremental decoder,
 * so that a peer's bad bytes always surface as a ShoalError and a declared
 * length is checked against the bound before any buffering happens.
 */
import { ErrorCode, ShoalError } from '@shoal/types';

/** Raft frames carry snapshots chunks; anything larger is refused. */
export const MAX_RAFT_FRAME_BYTES = 64 * 1024 * 1024;
const MAX_VARINT_BYTES = 5; // 2^35 > any bound we accept

export function encodeFrames(frames: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const f of frames) size += varintLength(f.length) + f.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const f of frames) {
    at = writeVarint(out, at, f.length);
    out.set(f, at);
    at += f.length;
  }
  return out;
}

function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function writeVarint(out: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[at++] = n;
  return at;
}

/**
 * Feed it chunks as they arrive; it returns every frame completed so far.
 * Memory grows only with bytes actually received, never with a declared
 * length, so a peer announcing a huge frame costs nothing until it sends it.
 */
export class FrameDecoder {
  private readonly maxFrameBytes: number;
  private header: number[] = [];
  private expected = -1;
  private parts: Uint8Array[] = [];
  private filled = 0;

  constructor(maxFrameBytes = MAX_RAFT_FRAME_BYTES) {
    this.maxFrameBytes = maxFrameBytes;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.expected < 0) {
        const byte = chunk[at++];
        this.header.push(byte);
        if (byte & 0x80) {
          if (this.header.length >= MAX_VARINT_BYTES) throw new ShoalError(ErrorCode.BadMessage, 'frame length prefix is not a valid varint; closing the stream');
          continue;
        }
        const length = this.header.reduce((acc, b, i) => acc + (b & 0x7f) * 2 ** (7 * i), 0);
        this.header = [];
        if (length > this.maxFrameBytes) {
          throw new ShoalError(ErrorCode.MessageTooLarge, `frame of ${length} bytes exceeds the ${this.maxFrameBytes}-byte limit; closing the stream`);
        }
        this.expected = length;
        this.parts = [];
        this.filled = 0;
      }
      const take = Math.min(this.expected - this.filled, chunk.length - at);
      if (take > 0) {
        // Copy: the caller may reuse its buffer, and frames outlive the chunk.
        this.parts.push(chunk.slice(at, at + take));
        this.filled += take;
        at += take;
      }
      if (this.filled === this.expected) {
        frames.push(this.parts.length === 1 ? this.parts[0] : concat(this.parts, this.expected));
        this.expected = -1;
        this.parts = [];
      }
    }
    return frames;
  }

  /** True when no frame is partially received (a clean place for the stream to end). */
  idle(): boolean {
    return this.expected < 0 && this.header.length === 0;
  }
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
