import type { Backend } from '../backend.js';
import { ServiceSpecSchema } from '../schemas.js';
import type { Api } from './app.js';

/**
 * A create that commits nothing: `stack deploy` checks every new service of
 * a file here before it creates any, so a refused file leaves nothing running.
 */
export function serviceValidationRoutes(api: Api, backend: Backend): void {
  api.post(
    '/v1/services/validate',
    { schema: { tags: ['services'], summary: 'Check that a service could be created (spec, host access, name); nothing is committed', body: ServiceSpecSchema } },
    async (request) => {
      await backend.validateService(request.body);
      return { valid: true };
    },
  );
}
