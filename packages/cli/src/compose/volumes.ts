/**
 * Compose service `volumes` -> mounts. A source that is a path (`/`, `.`,
 * `~`) is a bind mount, resolved against the Compose file's directory;
 * anything else is a named volume, scoped to the stack as `<stack>_<name>`
 * unless its top-level entry is `external:` or sets `name:` (secrets.ts volumeName).
 */
import type { ServiceSpec } from '@shoal/types';
import { fail, isDoc, type ComposeContext } from './common.js';
import { isHostPath, resolveHostPath } from './paths.js';
import { volumeName } from './secrets.js';

type Mount = NonNullable<ServiceSpec['mounts']>[number];

function longMount(v: Record<string, unknown>, where: string, ctx: ComposeContext): Mount {
  const type = (v.type as Mount['type'] | undefined) ?? 'volume';
  if (!['bind', 'volume', 'tmpfs'].includes(type)) throw fail(`${where}.type: "${String(type)}" must be bind, volume or tmpfs`);
  if (v.target === undefined) throw fail(`${where}: a mount needs a target`);
  const source = v.source === undefined ? undefined : type === 'bind' ? resolveHostPath(String(v.source), ctx) : type === 'volume' ? volumeName(String(v.source), ctx) : String(v.source);
  return { type, ...(source !== undefined ? { source } : {}), target: String(v.target), ...(v.read_only ? { readOnly: true } : {}) };
}

export function mounts(value: unknown, where: string, ctx: ComposeContext): ServiceSpec['mounts'] {
  if (!Array.isArray(value)) throw fail(`${where}: expected a list`);
  const out: Mount[] = [];
  value.forEach((v, i) => {
    if (isDoc(v)) return void out.push(longMount(v, `${where}[${i}]`, ctx));
    const [source, target, flags] = String(v).split(':');
    if (target === undefined) return void ctx.warn(`${where}[${i}]: anonymous volume "${String(v)}" is not supported; ignored`);
    const bind = isHostPath(source);
    const readOnly = (flags ?? '').split(',').includes('ro');
    out.push({ type: bind ? 'bind' : 'volume', source: bind ? resolveHostPath(source, ctx) : volumeName(source, ctx), target, ...(readOnly ? { readOnly: true } : {}) });
  });
  return out;
}

/** `tmpfs: /run` or a list of paths: in-memory mounts (size options after ":" are not supported). */
export function tmpfsMounts(spec: ServiceSpec, value: unknown, where: string, ctx: ComposeContext): void {
  const paths = Array.isArray(value) ? value.map(String) : [String(value)];
  for (const p of paths) {
    const [target, options] = p.split(':');
    if (options !== undefined) ctx.warn(`${where}: options "${options}" of ${target} are not supported; mounted without them`);
    spec.mounts = [...(spec.mounts ?? []), { type: 'tmpfs', target }];
  }
}
