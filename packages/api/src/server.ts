/**
 * The admin HTTP API: fastify with TypeBox schemas on every route, a bearer
 * token on everything but /healthz, and an OpenAPI document generated from
 * the same schemas. The daemon creates it with its Backend and listens.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Backend } from './backend.js';
import { bearerAuth } from './auth.js';
import { handleError } from './http-errors.js';
import { formatValidationErrors, validatorCompiler } from './validation.js';
import { serviceRoutes } from './routes/services.js';
import { serviceValidationRoutes } from './routes/service-validation.js';
import { nodeRoutes } from './routes/nodes.js';
import { taskRoutes } from './routes/tasks.js';
import { clusterRoutes } from './routes/cluster.js';
import { systemRoutes } from './routes/system.js';
import { secretRoutes } from './routes/secrets.js';
import { hasSecrets } from './secrets-backend.js';
import { volumeRoutes } from './routes/volumes.js';
import { hasVolumes } from './volumes-backend.js';
import { sessionRoutes } from './session.js';

export interface ApiServerOptions {
  backend: Backend;
  /** Bearer token every request (but /healthz) must present. At least 16 characters. */
  token: string;
  /** A pino logger (or any fastify-compatible one); omitted = silent. */
  logger?: FastifyBaseLogger;
  /** Largest accepted request body in bytes; default 1 MiB. */
  bodyLimit?: number;
  /** Version shown in the OpenAPI document. */
  version?: string;
}

export type ApiServer = FastifyInstance;

export function createApiServer(opts: ApiServerOptions): FastifyInstance {
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    schemaErrorFormatter: formatValidationErrors,
    // Long-lived streams (events, logs -f) must not be cut by fastify's defaults.
    requestTimeout: 0,
    forceCloseConnections: true,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?', 1)[0]}` } });
  });
  app.addHook('onRequest', bearerAuth(opts.token));

  void app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'shoal admin API', version: opts.version ?? '0.1.0', description: 'Admin API of a shoal node. Errors: {error: {code, message, details}}.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  void app.register(async (scope) => {
    const api = scope.withTypeProvider<TypeBoxTypeProvider>();
    serviceRoutes(api, opts.backend);
    serviceValidationRoutes(api, opts.backend);
    nodeRoutes(api, opts.backend);
    taskRoutes(api, opts.backend);
    clusterRoutes(api, opts.backend);
    systemRoutes(api, opts.backend);
    if (hasSecrets(opts.backend)) secretRoutes(api, opts.backend);
    if (hasVolumes(opts.backend)) volumeRoutes(api, opts.backend);
    sessionRoutes(api);
    api.get('/v1/openapi.json', { schema: { hide: true } }, async () => scope.swagger());
  });
  return app;
}
