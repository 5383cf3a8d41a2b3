// Shared fixtures for the storage tests: temp dirs and entry builders.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry } from '@shoal/raft';

export function tempDir(t: { after: (fn: () => void) => void }, name = 'shoal-storage-'): string {
  const dir = mkdtempSync(join(tmpdir(), name));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function entry(index: number, term: number, text = `cmd-${index}`): Entry {
  return { index, term, type: 'normal', data: new TextEncoder().encode(text) };
}

export function entries(from: number, to: number, term: number): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push(entry(i, term));
  return out;
}
