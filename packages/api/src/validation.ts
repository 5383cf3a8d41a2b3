/**
 * Turns schema failures into one line a person can act on, e.g.
 * `invalid body: /spec/replicas: Expected integer; /spec/replica: Unexpected property`.
 * Specs also go through @shoal/types' semantic validation when it exists.
 */
import type { FastifySchemaValidationError } from 'fastify';
import * as types from '@shoal/types';
import type { ServiceSpec } from '@shoal/types';

export function formatValidationErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const lines = [...new Set(errors.map((e) => `${e.instancePath || '(root)'}: ${e.message ?? 'invalid'}`))];
  const shown = lines.slice(0, 5).join('; ') + (lines.length > 5 ? `; and ${lines.length - 5} more` : '');
  return new Error(`invalid ${dataVar}: ${shown}`);
}

type SpecValidator = (raw: unknown) => ServiceSpec;
const semantic = (types as unknown as { validateServiceSpec?: SpecValidator }).validateServiceSpec;

/**
 * Schema checks shapes; this checks meaning (image required for docker,
 * replicas vs global mode, ...). It throws ShoalError INVALID_SPEC.
 */
export function checkSpec(spec: ServiceSpec): ServiceSpec {
  return semantic ? semantic(spec) : spec;
}
