/**
 * `shoal secret` and `shoal config`: create (value from a file or standard
 * input, never from an argument that would land in shell history), ls,
 * inspect (a secret's value is never shown; a config's is), rm (refused
 * while a service uses it).
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { ErrorCode, SECRET_MAX_BYTES, ShoalError, type SecretKind, type SecretMeta } from '@shoal/types';
import { ago, json, shortId, table } from '../output.js';
import { parseKeyValues } from '../spec-flags.js';
import { clientOf, collect, type CliContext } from './context.js';

export function readValue(ctx: CliContext, file: string, kind: SecretKind): Buffer {
  let value: Buffer;
  try {
    value = ctx.readInput ? ctx.readInput(file) : readFileSync(file === '-' ? 0 : file);
  } catch (err) {
    throw new ShoalError(ErrorCode.InvalidSpec, `cannot read the ${kind} value from ${file === '-' ? 'standard input' : file}: ${(err as Error).message}`);
  }
  if (value.length === 0) throw new ShoalError(ErrorCode.InvalidSpec, `the ${kind} value from ${file === '-' ? 'standard input' : file} is empty`);
  if (value.length > SECRET_MAX_BYTES) throw new ShoalError(ErrorCode.InvalidSpec, `the ${kind} value is ${value.length} bytes; the limit is ${SECRET_MAX_BYTES} bytes (500 KB)`);
  return value;
}

function lsTable(items: SecretMeta[], now: number): string {
  return table(
    ['NAME', 'ID', 'SIZE', 'CREATED', 'USED BY'],
    items.map((s) => [s.name, shortId(s.id), s.size, ago(s.createdAt, now), (s.usedBy ?? []).join(',') || '-']),
  );
}

export function secretLikeCommand(ctx: CliContext, kind: SecretKind): Command {
  const cmdRoot = new Command(kind).description(kind === 'secret' ? 'sensitive values given to tasks as files; stored sealed, never shown' : 'non-sensitive files given to tasks (inspect shows the value)');

  cmdRoot
    .command('create')
    .description(`create a ${kind} from a file, or from standard input with "-" (values are immutable; at most 500 KB)`)
    .argument('<name>', `${kind} name`)
    .argument('<file>', 'file holding the value, or - for standard input')
    .option('--label <key=value>', 'label (repeatable)', collect)
    .option('--json', 'print JSON')
    .action(async (name: string, file: string, opts: { label?: string[]; json?: boolean }, cmd: Command) => {
      const value = readValue(ctx, file, kind);
      const labels = opts.label?.length ? parseKeyValues(opts.label, '--label') : undefined;
      const meta = await clientOf(cmd, ctx).createSecret(kind, { name, data: value.toString('base64'), ...(labels ? { labels } : {}) });
      value.fill(0);
      ctx.output.out(opts.json ? json(meta) : meta.id);
    });

  cmdRoot
    .command('ls')
    .description(`list ${kind}s`)
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const items = await clientOf(cmd, ctx).listSecrets(kind);
      ctx.output.out(opts.json ? json(items) : lsTable(items, ctx.now()));
    });

  cmdRoot
    .command('inspect')
    .description(kind === 'secret' ? 'show secrets\' metadata as JSON (never the value)' : 'show configs as JSON, with their value')
    .argument('<name...>', `${kind} names or ids`)
    .action(async (names: string[], _opts: unknown, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      const items = await Promise.all(names.map((n) => client.getSecret(kind, n)));
      ctx.output.out(json(kind === 'config' ? items.map(withText) : items));
    });

  cmdRoot
    .command('rm')
    .description(`remove ${kind}s (refused while a service uses them)`)
    .argument('<name...>', `${kind} names or ids`)
    .action(async (names: string[], _opts: unknown, cmd: Command) => {
      const client = clientOf(cmd, ctx);
      for (const n of names) {
        await client.removeSecret(kind, n);
        ctx.output.out(n);
      }
    });
  return cmdRoot;
}

/** A config's value as text too, when it is text. */
function withText(meta: SecretMeta): SecretMeta & { value?: string } {
  if (meta.data === undefined) return meta;
  const text = Buffer.from(meta.data, 'base64').toString('utf8');
  return text.includes('\uFFFD') ? meta : { ...meta, value: text };
}
