/**
 * Compose service `volumes` -> mounts. A source that is a path is a bind
 * mount (relative paths resolve against the Compose file's directory, `~`
 * against the home directory); anything else is a named volume, scoped to
 * the stack as `<stack>_<name>` unless the top-level entry is external or
 * sets `name:` (see secrets.ts volumeName).
 */
import { isAbsolute, resolve } from 'node:path';
import type { ServiceSpec } from '@shoal/types';
import { isDoc, fail, type ComposeContext } from './common.js';
import { volumeName } from './secrets.js';

type Mount = NonNullable<ServiceSpec['mounts']>[number];

function bindSource(source: string, ctx: ComposeContext): string {
  if (source.startsWith('~/')) return resolve(ctx.home, source.slice(2));
  return isAbsolute(source) ? source : resolve(ctx.dir, source);
}

function scoped(m: Mount, ctx: ComposeContext): Mount {
  if (m.type === 'volume' && m.source) return { ...m, source: volumeName(m.source, ctx) };
  if (m.type === 'bind' && m.source) return { ...m, source: bindSource(m.source, ctx) };
  return m;
}

export function mounts(value: unknown, where: string, ctx: ComposeContext): ServiceSpec['mounts'] {
  if (!Array.isArray(value)) throw fail(`${where}: expected a list`);
  const out: NonNullable<ServiceSpec['mounts']> = [];
  for (const v of value) {
    if (isDoc(v)) {
      out.push(scoped({ type: (v.type as 'bind' | 'volume' | 'tmpfs') ?? 'volume', ...(v.source ? { source: String(v.source) } : {}), target: String(v.target), ...(v.read_only ? { readOnly: true } : {}) }, ctx));
      continue;
    }
    const [source, target, flags] = String(v).split(':');
    if (target === undefined) {
      ctx.warn(`${where}: anonymous volume "${String(v)}" is not supported; ignored`);
      continue;
    }
    const bind = source.startsWith('/') || source.startsWith('.') || source.startsWith('~');
    out.push(scoped({ type: bind ? 'bind' : 'volume', source, target, ...(flags === 'ro' ? { readOnly: true } : {}) }, ctx));
  }
  return out;
}
