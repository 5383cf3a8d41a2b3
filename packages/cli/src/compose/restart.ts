/**
 * Compose's `restart` (the single-engine key) mapped onto the restart
 * policy. `deploy.restart_policy`, when also given, is the Swarm key and wins.
 */
import type { ServiceSpec } from '@shoal/types';
import { fail, type ComposeContext } from './common.js';

export function restart(spec: ServiceSpec, value: unknown, where: string, ctx: ComposeContext, service: Record<string, unknown>): void {
  const text = String(value);
  const m = /^on-failure(?::(\d+))?$/.exec(text);
  if (m) spec.restart = { condition: 'on-failure', ...(m[1] !== undefined ? { maxAttempts: Number(m[1]) } : {}) };
  else if (text === 'no' || value === false) spec.restart = { condition: 'none' };
  else if (text === 'always') spec.restart = { condition: 'any' };
  else if (text === 'unless-stopped') {
    spec.restart = { condition: 'any' };
    ctx.warn(`${where}: unless-stopped restarts like always (a service is stopped by removing or scaling it)`);
  } else throw fail(`${where}: "${text}" must be no, always, on-failure[:N] or unless-stopped`);
  const d = service.deploy as Record<string, unknown> | undefined;
  if (d && typeof d === 'object' && d.restart_policy !== undefined) ctx.warn(`${where} is overridden by deploy.restart_policy`);
}
