import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Ready } from '@shoal/raft';
import { LevelRaftStorage, type KvOp } from '../src/index.js';
import { ReadyWriter } from '@shoal/raft-host';
import { entries, tempDir } from './helpers.js';

/** ReadyWriter.persist calls back; the tests await it. */
function persist(w: ReadyWriter, rd: Ready): Promise<void> {
  return new Promise((resolve, reject) => w.persist(rd, (err) => (err ? reject(err) : resolve())));
}

function ready(over: Partial<Ready>): Ready {
  return { entries: [], committedEntries: [], messages: [], readStates: [], mustSync: false, ...over };
}

async function writer(t: Parameters<typeof tempDir>[0]) {
  const batches: { keys: string[]; sync: boolean }[] = [];
  const store = await LevelRaftStorage.open(tempDir(t), {
    wrapKv: (kv) => ({
      get: (k) => kv.get(k),
      range: (a, b) => kv.range(a, b),
      batch: (ops: KvOp[], o) => {
        batches.push({ keys: ops.map((op) => String.fromCharCode(op.key[0])), sync: o.sync });
        return kv.batch(ops, o);
      },
      clear: (a, b) => kv.clear(a, b),
      close: () => kv.close(),
    }),
  });
  t.after(() => store.close());
  await store.load();
  batches.length = 0;
  return { w: new ReadyWriter(store, { term: 2, vote: 'a', commit: 0 }), batches, store };
}

test('a commit-only hard state is not written alone but rides with the next entries', async (t) => {
  const { w, batches, store } = await writer(t);
  await persist(w, ready({ entries: entries(1, 2, 2), mustSync: true }));
  await persist(w, ready({ hardState: { term: 2, vote: 'a', commit: 2 } }));
  assert.equal(batches.length, 1, 'no write for the commit alone');
  await persist(w, ready({ entries: entries(3, 3, 2), mustSync: true }));
  assert.deepEqual(batches[1], { keys: ['e', 'h'], sync: true });
  assert.equal((await store.load()).hardState.commit, 2);
});

test('a new term or vote is written and synced at once', async (t) => {
  const { w, batches } = await writer(t);
  await persist(w, ready({ hardState: { term: 3, vote: null, commit: 0 }, mustSync: true }));
  assert.deepEqual(batches, [{ keys: ['h'], sync: true }]);
});

test('flush writes a deferred commit', async (t) => {
  const { w, store } = await writer(t);
  await persist(w, ready({ entries: entries(1, 1, 2), mustSync: true }));
  await persist(w, ready({ hardState: { term: 2, vote: 'a', commit: 1 } }));
  await w.flush();
  assert.equal((await store.load()).hardState.commit, 1);
});

test('only a leader appending in its durable term may send before its write', async (t) => {
  const { w } = await writer(t);
  const append = ready({ entries: entries(5, 6, 2), mustSync: true });
  assert.equal(w.mayReplicateBeforePersist(append, 'leader'), true);
  assert.equal(w.mayReplicateBeforePersist(append, 'follower'), false, 'followers ack only what is durable');
  assert.equal(w.mayReplicateBeforePersist({ ...append, softState: { leader: 'b', role: 'follower' } }, 'leader'), false, 'just stepped down');
  assert.equal(w.mayReplicateBeforePersist({ ...append, hardState: { term: 3, vote: 'a', commit: 4 } }, 'leader'), false, 'new term first');
  assert.equal(w.mayReplicateBeforePersist({ ...append, hardState: { term: 2, vote: 'a', commit: 4 } }, 'leader'), true, 'commit of older entries is fine');
  assert.equal(w.mayReplicateBeforePersist({ ...append, hardState: { term: 2, vote: 'a', commit: 6 } }, 'leader'), false, 'a single voter committing its own new entries');
});
