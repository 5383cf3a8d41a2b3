/**
 * Placement constraints, swarm style: `node.labels.K == V`, `node.labels.K != V`,
 * `node.id`, `node.hostname`, `node.role`, `node.platform.os`, `node.platform.arch`.
 * The same field names name what a placement preference spreads over.
 */
import { ErrorCode, ShoalError, type NodeInfo } from '@shoal/types';

export type NodeField = (node: NodeInfo) => string | undefined;

export interface Constraint {
  /** The constraint as written, for explanations. */
  text: string;
  field: string;
  op: '==' | '!=';
  value: string;
  get: NodeField;
  /** Host names, roles and platforms compare case-insensitively; ids and labels exactly. */
  caseless: boolean;
}

const FIELDS: Record<string, { get: NodeField; caseless: boolean }> = {
  'node.id': { get: (n) => n.id, caseless: false },
  'node.hostname': { get: (n) => n.name, caseless: true },
  'node.name': { get: (n) => n.name, caseless: true },
  'node.role': { get: (n) => n.role, caseless: true },
  'node.platform.os': { get: (n) => n.platform?.os, caseless: true },
  'node.platform.arch': { get: (n) => n.platform?.arch, caseless: true },
};

const LABEL_PREFIX = 'node.labels.';
const KNOWN = `node.labels.<key>, ${Object.keys(FIELDS).join(', ')}`;

/** Resolves a node field name; undefined when it is not one we know. */
export function nodeField(name: string): { get: NodeField; caseless: boolean } | undefined {
  if (name.startsWith(LABEL_PREFIX) && name.length > LABEL_PREFIX.length) {
    const key = name.slice(LABEL_PREFIX.length);
    return { get: (n) => n.labels?.[key], caseless: false };
  }
  return Object.hasOwn(FIELDS, name) ? FIELDS[name] : undefined;
}

export function parseConstraint(text: string): Constraint {
  const m = /^\s*([A-Za-z0-9_.\-/]+)\s*(==|!=)\s*(.*?)\s*$/.exec(text);
  if (!m || m[3] === '') {
    throw new ShoalError(ErrorCode.InvalidSpec, `invalid placement constraint "${text}": write it as FIELD == VALUE or FIELD != VALUE, e.g. node.labels.zone == a`);
  }
  const [, field, op, value] = m;
  const resolved = nodeField(field);
  if (!resolved) {
    throw new ShoalError(ErrorCode.InvalidSpec, `invalid placement constraint "${text}": unknown field ${field}; use one of ${KNOWN}`);
  }
  return { text: `${field} ${op} ${value}`, field, op: op as '==' | '!=', value, get: resolved.get, caseless: resolved.caseless };
}

export function matchConstraint(c: Constraint, node: NodeInfo): boolean {
  const actual = c.get(node);
  // A node without the field never equals a value, so it satisfies only `!=`.
  const equal = actual !== undefined && (c.caseless ? actual.toLowerCase() === c.value.toLowerCase() : actual === c.value);
  return c.op === '==' ? equal : !equal;
}
