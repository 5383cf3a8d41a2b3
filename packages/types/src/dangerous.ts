/**
 * Specs that give a task control of its host. Refused unless the cluster
 * opted in, because anyone holding an API token could otherwise take over
 * every node.
 */
import type { ClusterConfig } from './domain.js';
import { ErrorCode, ShoalError } from './errors.js';
import type { ServiceSpec } from './spec.js';

const HOST_SOCKETS = ['/var/run/docker.sock', '/run/docker.sock'];

function normalisePath(p: string): string {
  const trimmed = p.replace(/\/+/g, '/').replace(/\/$/, '');
  return trimmed === '' ? '/' : trimmed;
}

/** Lists what makes the spec dangerous; empty when it is safe. */
export function dangerousFeatures(spec: ServiceSpec): string[] {
  const found: string[] = [];
  if (spec.privileged) found.push('privileged: true');
  if (spec.networkMode === 'host') found.push('networkMode: host');
  if (spec.pidMode === 'host') found.push('pidMode: host');
  if (spec.capAdd && spec.capAdd.length > 0) found.push(`capAdd: ${spec.capAdd.join(', ')}`);
  if (spec.devices && spec.devices.length > 0) found.push(`devices: ${spec.devices.join(', ')}`);
  for (const m of spec.mounts ?? []) {
    if (m.type !== 'bind' || m.source === undefined) continue;
    const src = normalisePath(m.source);
    if (src === '/' || HOST_SOCKETS.includes(src)) found.push(`bind mount of ${src}`);
  }
  return found;
}

/** Throws ShoalError DANGEROUS_SPEC unless the cluster allows dangerous specs. */
export function checkDangerous(spec: ServiceSpec, cfg: Pick<ClusterConfig, 'allowDangerous'>): void {
  if (cfg.allowDangerous) return;
  const found = dangerousFeatures(spec);
  if (found.length === 0) return;
  throw new ShoalError(
    ErrorCode.DangerousSpec,
    `service "${spec.name}" asks for host access (${found.join('; ')}) — remove it, or let the cluster allow it with \`shoal cluster update --allow-dangerous\``,
    { features: found },
  );
}
