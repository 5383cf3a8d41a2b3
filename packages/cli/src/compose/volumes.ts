/**
 * Compose service `volumes` -> mounts. Bind mounts are paths; anything else
 * is a volume name. (Named volumes scoped `<stack>_<name>` and the
 * top-level `volumes:` section are a separate concern.)
 */
import type { ServiceSpec } from '@shoal/types';
import { fail, isDoc } from './common.js';

export function mounts(value: unknown, where: string, warn: (m: string) => void): ServiceSpec['mounts'] {
  if (!Array.isArray(value)) throw fail(`${where}: expected a list`);
  const out: NonNullable<ServiceSpec['mounts']> = [];
  for (const v of value) {
    if (isDoc(v)) {
      out.push({ type: (v.type as 'bind' | 'volume' | 'tmpfs') ?? 'volume', ...(v.source ? { source: String(v.source) } : {}), target: String(v.target), ...(v.read_only ? { readOnly: true } : {}) });
      continue;
    }
    const [source, target, flags] = String(v).split(':');
    if (target === undefined) {
      warn(`${where}: anonymous volume "${String(v)}" is not supported; ignored`);
      continue;
    }
    const bind = source.startsWith('/') || source.startsWith('.');
    out.push({ type: bind ? 'bind' : 'volume', source, target, ...(flags === 'ro' ? { readOnly: true } : {}) });
  }
  return out;
}
