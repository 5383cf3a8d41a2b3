/**
 * What a `stack deploy` changes: services of the file that are new, changed
 * or unchanged, and services of the stack the file no longer has (removed:
 * the file is the whole stack, as `docker stack deploy --prune`). Unchanged
 * means equal after defaults, so re-deploying the same file touches nothing.
 */
import { ErrorCode, ShoalError, applySpecDefaults, type Service, type ServiceSpec } from '@shoal/types';

export const STACK_LABEL = 'shoal.stack';

export interface StackPlan {
  create: ServiceSpec[];
  update: ServiceSpec[];
  unchanged: string[];
  remove: string[];
}

export function stackOf(service: Service): string | undefined {
  return service.spec.labels?.[STACK_LABEL];
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

export function sameSpec(a: ServiceSpec, b: ServiceSpec): boolean {
  const norm = (s: ServiceSpec) => JSON.stringify(canonical(applySpecDefaults(structuredClone(s))));
  return norm(a) === norm(b);
}

export function planStack(stack: string, specs: ServiceSpec[], existing: Service[], opts: { prune: boolean }): StackPlan {
  const byName = new Map(existing.map((s) => [s.spec.name, s]));
  const plan: StackPlan = { create: [], update: [], unchanged: [], remove: [] };
  for (const spec of specs) {
    const current = byName.get(spec.name);
    if (!current) plan.create.push(spec);
    else if (stackOf(current) !== stack) {
      throw new ShoalError(
        ErrorCode.Conflict,
        `service ${spec.name} already exists and is not part of stack ${stack}; remove it (\`shoal service rm ${spec.name}\`) or deploy under another stack name`,
      );
    } else if (sameSpec(current.spec, spec)) plan.unchanged.push(spec.name);
    else plan.update.push(spec);
  }
  if (opts.prune) {
    const wanted = new Set(specs.map((s) => s.name));
    for (const s of existing) if (stackOf(s) === stack && !wanted.has(s.spec.name)) plan.remove.push(s.spec.name);
  }
  return plan;
}
