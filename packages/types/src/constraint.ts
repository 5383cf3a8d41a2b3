/**
 * Placement constraints (`node.labels.zone == eu`, `node.platform.os != windows`):
 * parsed once, matched against a node by the scheduler and the global
 * orchestrator. Keys follow Docker Swarm's so existing habits carry over.
 */
import type { NodeInfo } from './domain.js';
import { ErrorCode, ShoalError } from './errors.js';

export type ConstraintOp = '==' | '!=';

export interface Constraint {
  /** The constraint as written, for messages. */
  text: string;
  /** `labels` with `label` set, or one of the fixed node fields. */
  field: 'labels' | 'id' | 'hostname' | 'os' | 'arch';
  label?: string;
  op: ConstraintOp;
  value: string;
}

const FIXED: Record<string, Constraint['field']> = {
  'node.id': 'id',
  'node.hostname': 'hostname',
  'node.platform.os': 'os',
  'node.platform.arch': 'arch',
};

export const CONSTRAINT_HELP = 'write `node.labels.KEY == VALUE` or `!=`, with KEY one of node.labels.<name>, node.id, node.hostname, node.platform.os, node.platform.arch';

/** Parses `KEY == VALUE` / `KEY != VALUE`; throws ShoalError INVALID_SPEC with how to fix it. */
export function parseConstraint(text: string): Constraint {
  // No operator or shell characters in the value: `x === y && rm` or `a == b == c` is a typo, not a value.
  const m = /^\s*([A-Za-z0-9_.\-/]+)\s*(==|!=)\s*([^\s=!&|;<>$`'"(){}\\](?:[^=!&|;<>$`'"(){}\\]*[^\s=!&|;<>$`'"(){}\\])?)\s*$/.exec(text);
  if (!m) throw new ShoalError(ErrorCode.InvalidSpec, `constraint "${text}" is not of the form KEY == VALUE or KEY != VALUE — ${CONSTRAINT_HELP}`);
  const [, key, op, value] = m;
  const fixed = FIXED[key];
  if (fixed) return { text, field: fixed, op: op as ConstraintOp, value };
  if (key.startsWith('node.labels.') && key.length > 'node.labels.'.length) {
    return { text, field: 'labels', label: key.slice('node.labels.'.length), op: op as ConstraintOp, value };
  }
  throw new ShoalError(ErrorCode.InvalidSpec, `constraint "${text}" uses unknown key "${key}" — ${CONSTRAINT_HELP}`);
}

function fieldValue(node: Pick<NodeInfo, 'id' | 'name' | 'labels' | 'platform'>, c: Constraint): string | undefined {
  switch (c.field) {
    case 'labels':
      return Object.prototype.hasOwnProperty.call(node.labels, c.label!) ? node.labels[c.label!] : undefined;
    case 'id':
      return node.id;
    case 'hostname':
      return node.name;
    case 'os':
      return node.platform.os;
    case 'arch':
      return node.platform.arch;
  }
}

/**
 * True when the node satisfies the constraint. A missing label never equals
 * a value, so `!=` matches nodes without the label (Swarm's behaviour).
 */
export function matchConstraint(node: Pick<NodeInfo, 'id' | 'name' | 'labels' | 'platform'>, c: Constraint | string): boolean {
  const parsed = typeof c === 'string' ? parseConstraint(c) : c;
  const actual = fieldValue(node, parsed);
  const equal = actual !== undefined && actual === parsed.value;
  return parsed.op === '==' ? equal : !equal;
}
