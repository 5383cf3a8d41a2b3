// Data-driven Raft tests (etcd's style): every testdata/*.txt is a transcript of
// commands and the output they must print, so a behaviour change shows as a text
// diff. `REWRITE=1 node --test packages/raft/dist/test/transcripts.test.js`
// writes the actual output back into the files (review the diff before committing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Interpreter } from './datadriven/interpreter.js';
import { runTranscript } from './datadriven/transcript.js';

// dist/test -> packages/raft/testdata
const dir = fileURLToPath(new URL('../../testdata/', import.meta.url));
const rewrite = process.env.REWRITE === '1';

for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()) {
  test(`transcript ${file}`, () => {
    const it = new Interpreter();
    const failures = runTranscript(join(dir, file), (cmd) => it.run(cmd), rewrite);
    assert.deepEqual(failures, []);
  });
}
