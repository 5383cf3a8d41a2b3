/**
 * Compose `secrets:` and `configs:`, top level and per service.
 * Top level: `NAME: {file: ./path}` makes a stack object `<stack>_NAME`
 * created by `stack deploy` from that file; `NAME: {external: true}` (with
 * an optional `name:`) refers to one created with `shoal secret create`.
 * Per service: `- NAME` or `- {source, target, uid, gid, mode}`; a secret's
 * file defaults to /run/secrets/NAME and a config's to /NAME, as Docker.
 */
import { isAbsolute, resolve } from 'node:path';
import type { FileRef, SecretKind, ServiceSpec } from '@shoal/types';
import { fail, isDoc, type ComposeContext, type Doc, type StackFile } from './common.js';
export type { StackFile } from './common.js';


/** Cluster name of a top-level entry: external ones keep their (or their `name:`) name, others get the stack prefix. */
function clusterName(kind: SecretKind, key: string, ctx: ComposeContext): string {
  const section = ctx.doc[`${kind}s`];
  const entry = isDoc(section) ? section[key] : undefined;
  if (!isDoc(entry)) throw fail(`${kind}s.${key} is used by a service but not defined in the top-level ${kind}s: section`);
  if (entry.external === true || isDoc(entry.external)) return String(entry.name ?? key);
  return `${ctx.stack}_${key}`;
}

export function topLevelFiles(kind: SecretKind, out: StackFile[]) {
  return (value: unknown, ctx: ComposeContext): void => {
    if (!isDoc(value)) throw fail(`${kind}s: expected a map of ${kind} definitions`);
    for (const [key, entry] of Object.entries(value)) {
      const where = `${kind}s.${key}`;
      if (!isDoc(entry)) throw fail(`${where}: expected a map with file: or external:`);
      if (entry.external === true || isDoc(entry.external)) continue;
      if (typeof entry.file === 'string') {
        const file = entry.file.startsWith('~/') ? resolve(ctx.home, entry.file.slice(2)) : isAbsolute(entry.file) ? entry.file : resolve(ctx.dir, entry.file);
        out.push({ kind, name: `${ctx.stack}_${key}`, file });
      } else if (entry.environment !== undefined || entry.content !== undefined) {
        throw fail(`${where}: only file: and external: are supported (a value in the Compose file would land in shell history and version control)`);
      } else throw fail(`${where}: give file: PATH or external: true`);
    }
  };
}

function ref(kind: SecretKind, item: unknown, where: string, ctx: ComposeContext): FileRef {
  if (typeof item === 'string') return { source: clusterName(kind, item, ctx), target: defaultTarget(kind, item) };
  if (!isDoc(item) || typeof item.source !== 'string') throw fail(`${where}: expected a name or {source, target, uid, gid, mode}`);
  const r: FileRef = { source: clusterName(kind, item.source, ctx), target: item.target !== undefined ? String(item.target) : defaultTarget(kind, item.source) };
  if (item.uid !== undefined) r.uid = String(item.uid);
  if (item.gid !== undefined) r.gid = String(item.gid);
  if (item.mode !== undefined) r.mode = fileMode(item.mode, `${where}.mode`);
  return r;
}

/**
 * Modes are octal as Docker reads them: YAML 1.2 reads `0400` as the number
 * 400, so a number made of octal digits is taken as written in octal
 * (nobody means decimal 400); `0o400` and "0400" work too.
 */
function fileMode(v: unknown, where: string): number {
  const text = typeof v === 'number' ? String(v) : String(v).replace(/^0o/, '');
  if (!/^[0-7]{1,4}$/.test(text)) throw fail(`${where}: "${String(v)}" is not an octal file mode such as 0400`);
  return parseInt(text, 8);
}

/** The file keeps the Compose name, not the stack-scoped one, as Docker does. */
function defaultTarget(kind: SecretKind, key: string): string {
  return kind === 'secret' ? key : `/${key}`;
}

export function serviceFiles(kind: SecretKind) {
  return (spec: ServiceSpec, value: unknown, where: string, ctx: ComposeContext): void => {
    if (!Array.isArray(value)) throw fail(`${where}: expected a list`);
    const refs = value.map((item, i) => ref(kind, item, `${where}[${i}]`, ctx));
    if (kind === 'secret') spec.secrets = refs;
    else spec.configs = refs;
  };
}

/** A Compose volume name -> the cluster's: `<stack>_<name>`, unless the top-level entry is external or names itself. */
export function volumeName(source: string, ctx: Pick<ComposeContext, 'stack' | 'doc'>): string {
  const section = ctx.doc.volumes;
  const entry: Doc | undefined = isDoc(section) && isDoc(section[source]) ? (section[source] as Doc) : undefined;
  if (entry && (entry.external === true || isDoc(entry.external))) return String(entry.name ?? source);
  if (entry && typeof entry.name === 'string') return entry.name;
  return `${ctx.stack}_${source}`;
}
