/**
 * Checksummed records. Every value is `crc32 (4 bytes BE) | format (1 byte) |
 * body`, and the CRC covers the key too, so a flipped bit, a torn value or a
 * value found under the wrong key are all detected on read.
 */
import { crc32 } from 'node:zlib';

export const RECORD_FORMAT = 1;
const HEADER = 5;

export function sealRecord(key: Buffer, body: Uint8Array): Buffer {
  const value = Buffer.allocUnsafe(HEADER + body.length);
  value[4] = RECORD_FORMAT;
  value.set(body, HEADER);
  value.writeUInt32BE(checksum(key, value), 0);
  return value;
}

/** The body of a sealed record, or a reason why it cannot be trusted. */
export function openRecord(key: Buffer, value: Buffer): { body: Buffer } | { problem: string } {
  if (value.length < HEADER) return { problem: `record is ${value.length} bytes, shorter than its header` };
  if (value[4] !== RECORD_FORMAT) return { problem: `unknown record format ${value[4]}` };
  const stored = value.readUInt32BE(0);
  const actual = checksum(key, value);
  if (stored !== actual) return { problem: `checksum mismatch (stored ${hex(stored)}, computed ${hex(actual)})` };
  return { body: value.subarray(HEADER) };
}

function checksum(key: Buffer, value: Buffer): number {
  return crc32(value.subarray(4), crc32(key));
}

function hex(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}
