/**
 * The narrow key-value interface the Raft store needs, so tests can wrap it
 * (observe `sync`, inject a full disk) without touching LevelDB.
 */
import { Level } from 'level';

export type KvOp = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

export interface KvStore {
  get(key: Buffer): Promise<Buffer | undefined>;
  /** Pages of [key, value] in key order within [gte, lt). */
  range(gte: Buffer, lt: Buffer): AsyncIterable<[Buffer, Buffer][]>;
  /** Applies all ops atomically; with `sync` it returns only once they are on disk. */
  batch(ops: KvOp[], opts: { sync: boolean }): Promise<void>;
  /** Deletes every key in [gte, lt), off the main thread; not atomic. */
  clear(gte: Buffer, lt: Buffer): Promise<void>;
  close(): Promise<void>;
}

export class LevelKv implements KvStore {
  private constructor(private readonly db: Level<Buffer, Buffer>) {}

  static async open(dir: string): Promise<LevelKv> {
    const db = new Level<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open();
    return new LevelKv(db);
  }

  get(key: Buffer): Promise<Buffer | undefined> {
    return this.db.get(key);
  }

  async *range(gte: Buffer, lt: Buffer): AsyncIterable<[Buffer, Buffer][]> {
    const it = this.db.iterator({ gte, lt });
    try {
      for (;;) {
        const page = await it.nextv(1000);
        if (page.length === 0) return;
        yield page;
      }
    } finally {
      await it.close();
    }
  }

  batch(ops: KvOp[], opts: { sync: boolean }): Promise<void> {
    return this.db.batch(ops, { sync: opts.sync });
  }

  clear(gte: Buffer, lt: Buffer): Promise<void> {
    return this.db.clear({ gte, lt });
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
