/**
 * Which events concern a service or a node. An event names its subject (a
 * service, a node, or a task id) and its summary may list task ids (their
 * first 9 characters); task events are matched to services and nodes through
 * the tasks the console knows.
 */
import type { ClusterEvent } from '@shoal/api/contract';
import type { NodeInfo, Service, Task } from '@shoal/types';

export interface KnownObjects {
  nodes: NodeInfo[];
  services: Service[];
  tasks: Task[];
}

export function eventConcerns(ev: ClusterEvent, snap: KnownObjects, service: string, node: string): boolean {
  const text = `${ev.subject} ${ev.summary}`;
  const taskMatches = (pred: (t: Task) => boolean) =>
    snap.tasks.some((t) => pred(t) && (ev.subject === t.id || ev.summary.includes(t.id.slice(0, 9))));
  if (service) {
    const svc = snap.services.find((s) => s.spec.name === service);
    const named = ev.subject === service || new RegExp(`\\bservice ${escape(service)}(?![\\w.-])`).test(text);
    if (!named && !taskMatches((t) => t.serviceName === service || t.serviceId === svc?.id)) return false;
  }
  if (node) {
    const id = snap.nodes.find((n) => n.name === node)?.id;
    const named = ev.subject === node || new RegExp(`\\bnode ${escape(node)}(?![\\w.-])`).test(text);
    if (!named && !taskMatches((t) => t.nodeId === id)) return false;
  }
  return true;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
