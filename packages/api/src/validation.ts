/**
 * Request validation. Every part of every route is checked by its TypeBox
 * schema; service specs go through @shoal/types' validateServiceSpec instead,
 * so a user gets every problem at once, each with a fix ("image: missing for
 * the docker driver — set an image ..."), exactly as the FSM would judge it.
 * Schema failures elsewhere read e.g. `invalid querystring: /all: Expected boolean`.
 */
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';

type Result = { value?: unknown; error?: FastifySchemaValidationError[] | Error };
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { TSchema } from '@sinclair/typebox';
import { ErrorCode, ShoalError, validateServiceSpec, type ServiceSpec } from '@shoal/types';
import { ServiceSpecSchema, UpdateBody, UpdateEnvelope } from './schemas.js';

export function formatValidationErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const lines = [...new Set(errors.map((e) => `${e.instancePath || '(root)'}: ${e.message ?? 'invalid'}`))];
  const shown = lines.slice(0, 5).join('; ') + (lines.length > 5 ? `; and ${lines.length - 5} more` : '');
  return new Error(`invalid ${dataVar}: ${shown}`);
}

/** Semantic checks and defaults; throws ShoalError INVALID_SPEC listing every problem. */
export function checkSpec(spec: unknown): ServiceSpec {
  return validateServiceSpec(spec);
}

function specResult(raw: unknown): { value: ServiceSpec } | { error: ShoalError } {
  try {
    return { value: checkSpec(raw) };
  } catch (err) {
    return { error: err instanceof ShoalError ? err : new ShoalError(ErrorCode.InvalidSpec, (err as Error).message) };
  }
}

export const validatorCompiler: FastifySchemaCompiler<TSchema> = (route) => {
  if (route.httpPart === 'body' && route.schema === ServiceSpecSchema) return specResult;
  if (route.httpPart === 'body' && route.schema === UpdateBody) {
    const envelope = TypeBoxValidatorCompiler({ ...route, schema: UpdateEnvelope });
    return (raw: unknown): Result => {
      const outer = envelope(raw) as Result;
      if (outer.error) return outer;
      const body = raw as { spec: unknown; dryRun?: boolean };
      const inner = specResult(body.spec);
      return 'error' in inner ? inner : { value: { ...body, spec: inner.value } };
    };
  }
  return TypeBoxValidatorCompiler(route);
};
