// etcd-style data-driven transcripts: a file is a list of blocks
//
//   command arg key=value ...
//   ----
//   expected output (no blank line inside)
//
// separated by blank lines; `#` lines between blocks are comments. Run with
// REWRITE=1 to write the actual output back into the file.
import { readFileSync, writeFileSync } from 'node:fs';

export interface Command {
  name: string;
  /** Positional arguments. */
  args: string[];
  /** key=value arguments. */
  opts: Map<string, string>;
  line: number;
  text: string;
}

interface Block {
  /** Lines before the command: comments and blank lines, kept on rewrite. */
  preamble: string[];
  cmd: Command;
  expected: string;
}

export function parseCommand(text: string, line: number): Command {
  const words = text.trim().split(/\s+/);
  const [name, ...rest] = words;
  const args: string[] = [];
  const opts = new Map<string, string>();
  for (const w of rest) {
    const eq = w.indexOf('=');
    if (eq > 0) opts.set(w.slice(0, eq), w.slice(eq + 1));
    else args.push(w);
  }
  return { name: name!, args, opts, line, text: text.trim() };
}

function parse(path: string): { blocks: Block[]; trailer: string[] } {
  const lines = readFileSync(path, 'utf8').split('\n');
  const blocks: Block[] = [];
  let preamble: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i]!;
    if (l.trim() === '' || l.startsWith('#')) {
      preamble.push(l);
      i++;
      continue;
    }
    const cmd = parseCommand(l, i + 1);
    if (lines[i + 1] !== '----') throw new Error(`${path}:${i + 2}: expected ---- after the command`);
    i += 2;
    const out: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '') out.push(lines[i++]!);
    blocks.push({ preamble, cmd, expected: out.join('\n') });
    preamble = [];
  }
  return { blocks, trailer: preamble };
}

/**
 * Runs every block of `path` through `run` (which returns the block's output)
 * and returns the mismatches; with `rewrite` the file gets the actual outputs.
 */
export function runTranscript(path: string, run: (cmd: Command) => string, rewrite: boolean): string[] {
  const { blocks, trailer } = parse(path);
  const failures: string[] = [];
  const out: string[] = [];
  for (const b of blocks) {
    let actual: string;
    try {
      actual = run(b.cmd).trimEnd();
    } catch (err) {
      actual = `panic: ${(err as Error).stack ?? String(err)}`;
    }
    if (actual === '') actual = 'ok';
    if (actual !== b.expected) failures.push(`${path}:${b.cmd.line}: ${b.cmd.text}\n--- expected\n${b.expected}\n--- actual\n${actual}`);
    out.push(...b.preamble, b.cmd.text, '----', actual);
  }
  out.push(...trailer);
  if (rewrite) writeFileSync(path, out.join('\n'));
  return rewrite ? [] : failures;
}
