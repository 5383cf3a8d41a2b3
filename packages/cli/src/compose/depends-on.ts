/**
 * `depends_on` in its list and long forms -> a dependency graph, and the
 * order services are created in (dependencies first). `service_healthy`
 * makes the deploy wait until the dependency's tasks pass their health check.
 */
import { fail, isDoc, type ComposeContext, type Doc } from './common.js';

export type DependencyCondition = 'started' | 'healthy';

export interface Dependency {
  /** Compose service name of the dependency. */
  service: string;
  condition: DependencyCondition;
}

export function dependenciesOf(name: string, svc: Doc, services: Doc, ctx: ComposeContext): Dependency[] {
  const where = `services.${name}.depends_on`;
  const value = svc.depends_on;
  if (value === undefined) return [];
  const out: Dependency[] = [];
  const check = (dep: string) => {
    if (!Object.hasOwn(services, dep)) throw fail(`${where}: service "${dep}" is not defined in this file`);
  };
  if (Array.isArray(value)) {
    for (const dep of value.map(String)) {
      check(dep);
      out.push({ service: dep, condition: 'started' });
    }
    return out;
  }
  if (!isDoc(value)) throw fail(`${where}: expected a list or a map`);
  for (const [dep, opts] of Object.entries(value)) {
    check(dep);
    const condition = isDoc(opts) && opts.condition !== undefined ? String(opts.condition) : 'service_started';
    if (condition === 'service_healthy') {
      const target = services[dep];
      if (!isDoc(target) || !isDoc(target.healthcheck) || target.healthcheck.disable === true) {
        throw fail(`${where}.${dep}: condition service_healthy needs a healthcheck on service "${dep}"; add one or use service_started`);
      }
      out.push({ service: dep, condition: 'healthy' });
    } else if (condition === 'service_started') out.push({ service: dep, condition: 'started' });
    else if (condition === 'service_completed_successfully') {
      ctx.warn(`${where}.${dep}: service_completed_successfully is treated as service_started (services are long-running on a cluster)`);
      out.push({ service: dep, condition: 'started' });
    } else throw fail(`${where}.${dep}.condition: "${condition}" must be service_started, service_healthy or service_completed_successfully`);
    if (isDoc(opts)) for (const k of Object.keys(opts)) if (k !== 'condition') ctx.warn(`${where}.${dep}.${k} is not supported; ignored`);
  }
  return out;
}

/** Services in creation order: every service after all it depends on; a cycle is refused. */
export function creationOrder(graph: Map<string, Dependency[]>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw fail(`depends_on has a cycle: ${[...path, name].join(' -> ')}`);
    state.set(name, 'visiting');
    for (const d of graph.get(name) ?? []) visit(d.service, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of graph.keys()) visit(name, []);
  return order;
}
