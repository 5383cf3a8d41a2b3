/**
 * Specs that give a task control of its host. Refused unless the cluster
 * opted in, because anyone holding an API token could otherwise take over
 * every node.
 */
import type { ClusterConfig } from './domain.js';
import { ErrorCode, ShoalError } from './errors.js';
import type { ServiceSpec } from './spec.js';

/**
 * Host paths a bind mount must not reach: the engine and init sockets, the
 * kernel's interfaces, host configuration and credentials, the engines'
 * state and shoal's own data dir. A mount is dangerous when its source is
 * one of these, lies below one, or lies above one (binding `/var` exposes
 * `/var/run/docker.sock`).
 */
export const HOST_CONTROL_PATHS = [
  '/proc',
  '/sys',
  '/dev',
  '/etc',
  '/boot',
  '/root',
  '/run',
  '/var/run',
  '/var/lib/docker',
  '/var/lib/containerd',
  '/var/lib/kubelet',
  '/var/lib/shoal',
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/home',
] as const;

/** Socket file names that hand out control of an engine wherever they live. */
const ENGINE_SOCKETS = /(^|\/)(docker|containerd|podman|crio|cri-dockerd)\.sock$/;

/**
 * `/tmp/../`, `//etc/./`, `/a/b/..` -> the absolute path they name, without
 * touching a filesystem (this package does no I/O). Symlinks on the host are
 * not resolved here: a link under an allowed path still points wherever it
 * points, which is why the list is wide.
 */
export function normaliseHostPath(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
}

function within(path: string, root: string): boolean {
  return path === root || path.startsWith(root + '/');
}

/** Why a bind-mount source reaches the host's control surfaces, or null when it does not. */
export function dangerousHostPath(source: string): string | null {
  const src = normaliseHostPath(source);
  if (src === '/') return 'the host root';
  if (ENGINE_SOCKETS.test(src)) return 'an engine socket';
  for (const root of HOST_CONTROL_PATHS) {
    if (within(src, root)) return root;
    if (within(root, src)) return `a parent of ${root}`;
  }
  return null;
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
    const why = dangerousHostPath(m.source);
    if (why !== null) found.push(`bind mount of ${normaliseHostPath(m.source)} (${why})`);
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
