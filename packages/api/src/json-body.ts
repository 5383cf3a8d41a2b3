/**
 * The JSON body parser. Fastify's own refuses `__proto__` keys too, but
 * reports them as "not valid JSON", which sends users hunting for a syntax
 * error; this one names the key.
 */
import type { FastifyInstance } from 'fastify';
import { ErrorCode, ShoalError } from '@shoal/types';

const RESERVED = 'request body uses a reserved key ("__proto__" or "constructor.prototype"); no field of this API has that name: remove it';

function refusePoison(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new ShoalError(ErrorCode.InvalidSpec, RESERVED, { key });
  if (key === 'constructor' && value !== null && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, 'prototype')) {
    throw new ShoalError(ErrorCode.InvalidSpec, RESERVED, { key: 'constructor.prototype' });
  }
  return value;
}

export function parseJsonBody(text: string): unknown {
  if (text.length === 0) throw new ShoalError(ErrorCode.InvalidSpec, 'request body is empty; send a JSON object');
  try {
    return JSON.parse(text, refusePoison);
  } catch (err) {
    if (err instanceof ShoalError) throw err;
    throw new ShoalError(ErrorCode.InvalidSpec, `request body is not valid JSON: ${(err as Error).message}`);
  }
}

export function useJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
