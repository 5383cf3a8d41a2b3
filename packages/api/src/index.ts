export * from './backend.js';
export { createApiServer, type ApiServerOptions, type ApiServer } from './server.js';
export { ShoalClient, type ShoalClientOptions } from './client.js';
export { httpStatusFor, toShoalError, type ErrorBody } from './http-errors.js';
export { tokenMatches } from './auth.js';
export { checkSpec } from './validation.js';
export * from './secrets-backend.js';
export * from './volumes-backend.js';
export { registerConsole, CONSOLE_PREFIX, type ConsoleOptions } from './console.js';
