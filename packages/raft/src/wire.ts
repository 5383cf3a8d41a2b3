import { RaftError } from './errors.js';

/**
 * Byte-level primitives of the wire format: unsigned varints (safe integers
 * only), length-prefixed bytes and UTF-8 strings. The reader checks every
 * length against what is left, so a hostile length can never make us
 * allocate or read past the buffer.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function badMessage(why: string): RaftError {
  return new RaftError('BAD_MESSAGE', `malformed raft message: ${why}; the sender runs an incompatible or broken version`);
}

export class Writer {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Unsigned LEB128 of a non-negative safe integer. */
  uint(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw badMessage(`cannot encode ${String(n)} as an unsigned integer`);
    this.ensure(8);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  bytes(b: Uint8Array): void {
    this.uint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  string(s: string): void {
    if (typeof s !== 'string') throw badMessage('expected a string');
    // UTF-8 is at most 3 bytes per UTF-16 unit.
    this.ensure(s.length * 3 + 8);
    const lenPos = this.pos;
    // Reserve the maximum varint width for the length, then move the bytes if it was shorter.
    const max = s.length * 3;
    const width = varintWidth(max);
    const { written } = encoder.encodeInto(s, this.buf.subarray(lenPos + width));
    const realWidth = varintWidth(written);
    if (realWidth !== width) this.buf.copyWithin(lenPos + realWidth, lenPos + width, lenPos + width + written);
    this.pos = lenPos;
    this.uint(written);
    this.pos += written;
  }

  get length(): number {
    return this.pos;
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

function varintWidth(n: number): number {
  let w = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    w++;
  }
  return w;
}

export class Reader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw badMessage('truncated');
    return this.buf[this.pos++]!;
  }

  uint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (!Number.isSafeInteger(result)) throw badMessage('integer out of range');
        if (b === 0 && i > 0) throw badMessage('non-canonical integer');
        return result;
      }
      mul *= 0x80;
    }
    throw badMessage('integer too long');
  }

  /** A count of items that each take at least `minItemBytes`: bounded by what is left. */
  count(minItemBytes: number): number {
    const n = this.uint();
    if (n * minItemBytes > this.remaining) throw badMessage('count larger than the message');
    return n;
  }

  bytes(): Uint8Array {
    const n = this.uint();
    if (n > this.remaining) throw badMessage('length larger than the message');
    // Copy: callers keep entries long after the receive buffer is reused.
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(maxBytes: number): string {
    const n = this.uint();
    if (n > maxBytes) throw badMessage(`string longer than ${maxBytes} bytes`);
    if (n > this.remaining) throw badMessage('length larger than the message');
    const s = decoder.decode(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }

  end(): void {
    if (this.pos !== this.buf.length) throw badMessage('trailing bytes');
  }
}
