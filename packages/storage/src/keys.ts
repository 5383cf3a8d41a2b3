/**
 * Key layout of the Raft store. One LevelDB, one-byte prefixes; entry keys end
 * in a fixed-width big-endian index so LevelDB's bytewise order is log order.
 */
export const Prefix = {
  entry: 0x65, // 'e' + u64 index
  hardState: 0x68, // 'h'
  snapshot: 0x73, // 's'
  conf: 0x63, // 'c' bootstrap membership
  meta: 0x6d, // 'm' + utf8 name
  version: 0x76, // 'v'
} as const;

export const HARD_STATE_KEY = Buffer.from([Prefix.hardState]);
export const SNAPSHOT_KEY = Buffer.from([Prefix.snapshot]);
export const CONF_KEY = Buffer.from([Prefix.conf]);
export const VERSION_KEY = Buffer.from([Prefix.version]);

const TWO_32 = 2 ** 32;

export function writeU64(buf: Buffer, n: number, offset: number): void {
  buf.writeUInt32BE(Math.floor(n / TWO_32), offset);
  buf.writeUInt32BE(n >>> 0, offset + 4);
}

export function readU64(buf: Buffer, offset: number): number {
  return buf.readUInt32BE(offset) * TWO_32 + buf.readUInt32BE(offset + 4);
}

export function entryKey(index: number): Buffer {
  const key = Buffer.allocUnsafe(9);
  key[0] = Prefix.entry;
  writeU64(key, index, 1);
  return key;
}

export function entryIndexOfKey(key: Buffer): number {
  return key.length === 9 ? readU64(key, 1) : -1;
}

/** Bounds covering every entry key: [ENTRY_FIRST, ENTRY_END). */
export const ENTRY_FIRST = entryKey(0);
export const ENTRY_END = Buffer.from([Prefix.entry + 1]);

export function metaKey(name: string): Buffer {
  return Buffer.concat([Buffer.from([Prefix.meta]), Buffer.from(name, 'utf8')]);
}
