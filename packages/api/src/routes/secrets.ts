/**
 * /v1/secrets and /v1/configs. Request bodies are never logged, and no
 * error message repeats a value: a validation error names the field only.
 */
import { Type } from '@sinclair/typebox';
import { SECRET_NAME_PATTERN, type SecretKind } from '@shoal/types';
import type { SecretsBackend } from '../secrets-backend.js';
import type { Api } from './app.js';

const Params = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200, description: 'Id or name' }) });
const CreateBody = Type.Object(
  {
    name: Type.String({ pattern: SECRET_NAME_PATTERN, description: 'Letters, digits, - _ . ; up to 64 characters' }),
    data: Type.String({ maxLength: 700_000, description: 'The value, base64 (at most 500 KB decoded)' }),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
);

export function secretRoutes(api: Api, backend: SecretsBackend): void {
  for (const kind of ['secret', 'config'] as const satisfies SecretKind[]) {
    const base = `/v1/${kind}s`;
    const tags = [`${kind}s`];
    api.get(base, { schema: { tags, summary: `List ${kind}s (metadata only${kind === 'secret' ? ', never values' : ''})` } }, async () => backend.listSecrets(kind));
    api.get(`${base}/:name`, { schema: { tags, summary: `Inspect a ${kind}${kind === 'secret' ? ' (metadata only)' : ''}`, params: Params } }, async (request) => backend.getSecret(kind, request.params.name));
    api.post(base, { schema: { tags, summary: `Create a ${kind} (immutable)`, body: CreateBody } }, async (request, reply) => {
      const meta = await backend.createSecret(kind, request.body);
      return reply.status(201).send(meta);
    });
    api.delete(`${base}/:name`, { schema: { tags, summary: `Remove a ${kind} (refused while a service uses it)`, params: Params } }, async (request, reply) => {
      await backend.removeSecret(kind, request.params.name);
      return reply.status(204).send();
    });
  }
  api.post('/v1/cluster/rotate-key', { schema: { tags: ['cluster'], summary: 'Rotate the secret store key: every secret re-sealed in one commit (leader only)' } }, async () => backend.rotateStoreKey());
}
