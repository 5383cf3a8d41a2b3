import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, truncateSync, appendFileSync, rmSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLogFiles } from '../src/file-log-reader.js';

async function collect(path: string, tail?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const l of readLogFiles([{ stream: 'stdout', path }], { follow: false, tail, isRunning: () => false })) out.push(l.line);
  return out;
}

// Issue 13 §4: logs?tail=1 read the whole file (40 requests on a 9 MB log: +440 MiB RSS).
test('tail reads from the end: the last line of a 3 GiB (sparse) log comes back at once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-tail-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'stdout.log');
  writeFileSync(path, 'first\n');
  truncateSync(path, 3 * 2 ** 30); // a hole: no disk used, but readFile() of it cannot even allocate
  const fd = openSync(path, 'r+');
  writeSync(fd, '\nbefore-last\n', 3 * 2 ** 30 - 13);
  closeSync(fd);
  appendFileSync(path, 'last\nunterminated');
  const started = process.memoryUsage().rss;
  assert.deepEqual(await collect(path, 1), ['last', 'unterminated']);
  assert.deepEqual(await collect(path, 2), ['before-last', 'last', 'unterminated']);
  assert.ok(process.memoryUsage().rss - started < 64 * 2 ** 20, 'no more than a few chunks are held');
});

test('tail and full reads agree on small files, across chunk borders and multibyte characters', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-tail-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'stdout.log');
  const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'é'.repeat(i % 37)}`);
  writeFileSync(path, lines.join('\n') + '\n');
  assert.deepEqual(await collect(path), lines);
  for (const n of [0, 1, 7, 4999, 5000, 9000]) assert.deepEqual(await collect(path, n), n === 0 ? [] : lines.slice(-n), `tail ${n}`);
  assert.deepEqual(await collect(join(dir, 'missing')), []);
});
