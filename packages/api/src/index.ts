export * from './backend.js';
export { createApiServer, type ApiServerOptions, type ApiServer } from './server.js';
export type { Api } from './routes/app.js';
export { ShoalClient, type ShoalClientOptions, type NetworkInfo, type ServiceEndpoints } from './client.js';
export { httpStatusFor, toShoalError, type ErrorBody } from './http-errors.js';
export { tokenMatches, currentCaller, runAsCaller, requiredRole, nodeTokenAuth, type Caller, type Authenticate } from './auth.js';
export { checkSpec } from './validation.js';
export { registerConsole, CONSOLE_PREFIX, type ConsoleOptions } from './console.js';
export type { ApiSession, SessionRole } from './session.js';
