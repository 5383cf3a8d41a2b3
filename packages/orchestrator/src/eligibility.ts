/**
 * Which nodes a global service runs on: ready, not drained, with the
 * driver, platform and constraints the spec asks for. Resources and ports
 * are left to the scheduler, which places the node-bound task or explains
 * why it cannot.
 */
import { matchConstraint, parseConstraint, type Constraint, type NodeInfo, type ResolvedServiceSpec } from '@shoal/types';

export function globalEligibility(spec: ResolvedServiceSpec): (node: NodeInfo) => boolean {
  const constraints: Constraint[] = [];
  for (const text of spec.placement?.constraints ?? []) {
    try {
      constraints.push(parseConstraint(text));
    } catch {
      // Validated at the API; a constraint that no longer parses matches nothing.
      return () => false;
    }
  }
  const platforms = spec.placement?.platforms ?? [];
  return (node) =>
    node.status === 'ready' &&
    node.availability !== 'drain' &&
    node.drivers.includes(spec.driver) &&
    (platforms.length === 0 || platforms.some((p) => (!p.os || p.os === node.platform.os) && (!p.arch || p.arch === node.platform.arch))) &&
    constraints.every((c) => matchConstraint(node, c));
}
