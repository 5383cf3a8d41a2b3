/**
 * The admin HTTP API: fastify with TypeBox schemas on every route, a bearer
 * token on everything but /healthz, and an OpenAPI document generated from
 * the same schemas. The daemon creates it with its Backend and listens.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Backend } from './backend.js';
import { bearerAuth, nodeTokenAuth, runAsCaller, type Authenticate } from './auth.js';
import { limitConnections } from './connection-limits.js';
import { useJsonBodyParser } from './json-body.js';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { handleError } from './http-errors.js';
import { formatValidationErrors, validatorCompiler } from './validation.js';
import { serviceRoutes } from './routes/services.js';
import { serviceValidationRoutes } from './routes/service-validation.js';
import { rebalanceRoutes } from './routes/rebalance.js';
import { nodeRoutes } from './routes/nodes.js';
import { taskRoutes } from './routes/tasks.js';
import { clusterRoutes } from './routes/cluster.js';
import { systemRoutes } from './routes/system.js';
import { secretRoutes } from './routes/secrets.js';
import { hasSecrets } from './secrets-backend.js';
import { volumeRoutes } from './routes/volumes.js';
import { hasVolumes } from './volumes-backend.js';
import type { Api } from './routes/app.js';
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
  /** Tokens besides the node's own (cluster tokens with roles); the node's token stays an admin. */
  authenticate?: Authenticate;
  /** The node's own token's name for the audit trail and `/v1/session` (default "node"). */
  nodeTokenName?: string;
  /** Time to receive a whole request (headers and body; not the response, so streams live on). Default 30 s. */
  requestTimeoutMs?: number;
  /** Time to receive the request headers. Default 10 s. */
  headersTimeoutMs?: number;
  /** Open connections one client address may hold; more are refused. Default 64. */
  maxConnectionsPerClient?: number;
  /** More routes (the daemon's init/join), declared where the OpenAPI document sees them. */
  routes?: ((api: Api) => void)[];
  /** Serve HTTPS with this key and certificate (PEM); plain HTTP when absent. */
  tls?: { key: string; cert: string };
}

export type ApiServer = FastifyInstance;

/**
 * One line per request, at `info` for writes and `debug` for reads: Fastify's
 * two info lines per request made every poll (a progress bar, a dashboard, a
 * harness waiting for readiness) two log writes. Errors keep their levels.
 */
class RequestLogs extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) return super.requestCompleted(error, request, reply);
    const read = request.method === 'GET' || request.method === 'HEAD';
    reply.log[read ? 'debug' : 'info']({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

export function createApiServer(opts: ApiServerOptions): FastifyInstance {
  const bodyLimit = opts.bodyLimit ?? 1024 * 1024;
  const requestTimeout = opts.requestTimeoutMs ?? 30_000;
  const headersTimeout = Math.min(opts.headersTimeoutMs ?? 10_000, requestTimeout);
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    bodyLimit,
    schemaErrorFormatter: formatValidationErrors,
    // Bounds the time to *receive* a request, so a trickled body cannot hold a
    // connection forever; a response may stream as long as it likes (events, logs -f).
    // connectionTimeout (socket idle) stays off: a quiet event stream is idle by design.
    // node checks these deadlines every connectionsCheckingInterval (30 s by default): check each second.
    serverFactory: (handler) => {
      const limits = { requestTimeout, headersTimeout, connectionsCheckingInterval: Math.min(1000, requestTimeout), keepAliveTimeout: 72_000 };
      // A TLS handshake that never completes is bounded by the same header deadline.
      return opts.tls ? createHttpsServer({ ...limits, key: opts.tls.key, cert: opts.tls.cert, minVersion: 'TLSv1.2', handshakeTimeout: headersTimeout }, handler) : createServer(limits, handler);
    },
    forceCloseConnections: true,
    logController: new RequestLogs(),
  }).withTypeProvider<TypeBoxTypeProvider>();
  limitConnections(app.server, opts.maxConnectionsPerClient ?? 64);
  useJsonBodyParser(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler((err, request, reply) => handleError(err, request, reply, { bodyLimit }));
  // Every handler runs as its caller, so the backend can forward the credential with a write.
  app.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = function (this: unknown, request, reply) {
      return runAsCaller(request.caller, () => handler.call(this as never, request, reply));
    };
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?', 1)[0]}` } });
  });
  app.addHook('onRequest', bearerAuth(nodeTokenAuth(opts.token, opts.authenticate, opts.nodeTokenName)));

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
    rebalanceRoutes(api, opts.backend);
    nodeRoutes(api, opts.backend);
    taskRoutes(api, opts.backend);
    clusterRoutes(api, opts.backend);
    systemRoutes(api, opts.backend);
    if (hasSecrets(opts.backend)) secretRoutes(api, opts.backend);
    if (hasVolumes(opts.backend)) volumeRoutes(api, opts.backend);
    for (const add of opts.routes ?? []) add(api);
    sessionRoutes(api);
    api.get('/v1/openapi.json', { schema: { hide: true } }, async () => scope.swagger());
  });
  return app;
}
