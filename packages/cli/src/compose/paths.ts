/** Host paths in a Compose file: `~` is the user's home, relative paths are relative to the file's directory. */
import { isAbsolute, join, resolve } from 'node:path';
import type { ComposeContext } from './common.js';

export function isHostPath(source: string): boolean {
  return source.startsWith('/') || source.startsWith('.') || source === '~' || source.startsWith('~/');
}

export function resolveHostPath(path: string, ctx: Pick<ComposeContext, 'dir' | 'home'>): string {
  if (path === '~') return ctx.home;
  if (path.startsWith('~/')) return join(ctx.home, path.slice(2));
  return isAbsolute(path) ? path : resolve(ctx.dir, path);
}
