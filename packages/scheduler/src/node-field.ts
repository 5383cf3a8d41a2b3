/**
 * Node fields a placement preference can spread over, named as in
 * constraints: `node.labels.<key>`, `node.id`, `node.hostname`, `node.role`,
 * `node.platform.os`, `node.platform.arch`.
 */
import type { NodeInfo } from '@shoal/types';

export type NodeField = (node: NodeInfo) => string | undefined;

const FIELDS: Record<string, NodeField> = {
  'node.id': (n) => n.id,
  'node.hostname': (n) => n.name,
  'node.role': (n) => n.role,
  'node.platform.os': (n) => n.platform?.os,
  'node.platform.arch': (n) => n.platform?.arch,
};

const LABEL_PREFIX = 'node.labels.';

/** Resolves a node field name; undefined when it is not one we know. */
export function nodeField(name: string): NodeField | undefined {
  if (name.startsWith(LABEL_PREFIX) && name.length > LABEL_PREFIX.length) {
    const key = name.slice(LABEL_PREFIX.length);
    return (n) => (n.labels && Object.hasOwn(n.labels, key) ? n.labels[key] : undefined);
  }
  return Object.hasOwn(FIELDS, name) ? FIELDS[name] : undefined;
}
