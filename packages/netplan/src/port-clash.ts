/**
 * Published ports across services. An ingress port answers on every node
 * (the routing mesh DNATs it before any local listener sees it), so it is
 * the cluster's: no other service may publish the same port and protocol,
 * in ingress or host mode. Host-mode ports on their own only conflict per
 * node, which the scheduler handles. Swarm refuses the same way.
 */
import type { ServiceSpec } from '@shoal/types';

interface Named {
  spec: ServiceSpec;
}

/** A message naming the clash of `spec` with another service's published port, or null. */
export function publishedPortClash(spec: ServiceSpec, services: Iterable<Named>): string | null {
  const mine = (spec.ports ?? []).map((p) => ({ key: `${p.published}/${p.protocol ?? 'tcp'}`, ingress: (p.mode ?? 'ingress') === 'ingress' }));
  if (mine.length === 0) return null;
  for (const other of services) {
    if (other.spec.name === spec.name) continue;
    for (const p of other.spec.ports ?? []) {
      const key = `${p.published}/${p.protocol ?? 'tcp'}`;
      const ingress = (p.mode ?? 'ingress') === 'ingress';
      const hit = mine.find((m) => m.key === key && (m.ingress || ingress));
      if (hit) {
        return `port ${key} is already published by service ${other.spec.name} (${ingress ? 'ingress: on every node' : 'host mode'}); an ingress port belongs to one service: pick another port, or use mode=host on both`;
      }
    }
  }
  return null;
}
