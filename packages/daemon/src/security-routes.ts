/**
 * Cluster API tokens, the audit trail and the settings an admin may change
 * after init: routes the daemon adds to the admin API (admin only, see
 * api/src/auth.ts requiredRole; reading the settings is open to read-only).
 * Tokens are valid on every node: only their sha256 is replicated, and the
 * secret is shown once, in the answer to create.
 */
import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { API_ROLES, DEFAULT_LIMITS, ErrorCode, ShoalError, type ApiRole, type ClusterConfig } from '@shoal/types';
import type { Api, ApiTokenInfo, AuditRecord, ClusterSettings, NewApiToken } from '@shoal/api';
import type { ApiTokenRecord } from '@shoal/state';
import type { ClusterRuntime } from './runtime.js';
import { operatorWrite } from './operator-write.js';
import { hashToken } from './write-gate.js';

const RoleSchema = Type.Union(API_ROLES.map((r) => Type.Literal(r)));
const TokenInfoSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  createdAt: Type.Number(),
  createdBy: Type.Optional(Type.String()),
});
const CreateBody = Type.Object(
  { name: Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]{0,62}$', description: 'Unique; lower-case letters, digits, - _ .' }), role: RoleSchema },
  { additionalProperties: false },
);
const AuditSchema = Type.Object({
  index: Type.Number(),
  at: Type.Number(),
  by: Type.String(),
  type: Type.String(),
  subject: Type.String(),
  ok: Type.Boolean(),
  error: Type.Optional(Type.String()),
});
const SettingsSchema = Type.Object({ allowDangerous: Type.Boolean(), voters: Type.Number(), maxReplicasPerService: Type.Number(), maxTasksPerCluster: Type.Number() });
const SettingsPatch = Type.Object({ allowDangerous: Type.Optional(Type.Boolean()) }, { additionalProperties: false, minProperties: 1 });

function info(t: ApiTokenRecord): ApiTokenInfo {
  return { id: t.id, name: t.name, role: t.role, createdAt: t.createdAt, ...(t.createdBy ? { createdBy: t.createdBy } : {}) };
}

function settings(c: ClusterConfig): ClusterSettings {
  return {
    allowDangerous: c.allowDangerous,
    voters: c.voters,
    maxReplicasPerService: c.maxReplicasPerService ?? DEFAULT_LIMITS.maxReplicasPerService,
    maxTasksPerCluster: c.maxTasksPerCluster ?? DEFAULT_LIMITS.maxTasksPerCluster,
  };
}

async function write(rt: ClusterRuntime, cmd: Parameters<typeof operatorWrite>[1]): Promise<string | undefined> {
  const { result } = await operatorWrite(rt, cmd);
  if (!result.ok) throw new ShoalError((Object.values(ErrorCode) as string[]).includes(result.error.code) ? (result.error.code as ErrorCode) : ErrorCode.Conflict, result.error.message);
  return result.id;
}

export function registerSecurityRoutes(app: Api, runtime: () => ClusterRuntime | null): void {
  const rt = (): ClusterRuntime => {
    const r = runtime();
    if (!r) throw new ShoalError(ErrorCode.Conflict, 'this agent is not in a cluster yet: run `shoal init` to create one, or `shoal join ADDR --token TOKEN`');
    return r;
  };

  app.post('/v1/tokens', { schema: { tags: ['tokens'], summary: 'Create a cluster API token; the answer is the only time its secret is shown', body: CreateBody, response: { 200: Type.Intersect([TokenInfoSchema, Type.Object({ token: Type.String() })]) } } }, async (req): Promise<NewApiToken> => {
    const r = rt();
    const body = req.body as { name: string; role: ApiRole };
    // 256 bits, like the join secret; the prefix tells people what it is when they find one lying around.
    const token = `shoal_${randomBytes(32).toString('base64url')}`;
    const tokenId = `k${randomBytes(8).toString('hex')}`;
    await write(r, { type: 'apitoken.create', at: Date.now(), tokenId, name: body.name, role: body.role, hash: hashToken(token) });
    const t = r.state.apiTokens().find((x) => x.id === tokenId);
    if (!t) throw new ShoalError(ErrorCode.Internal, 'the token was committed but is not in this node\'s state yet; list tokens with `shoal token ls`');
    return { ...info(t), token };
  });

  app.get('/v1/tokens', { schema: { tags: ['tokens'], summary: 'List cluster API tokens (names and roles, never the secrets)', response: { 200: Type.Array(TokenInfoSchema) } } }, async () =>
    rt().state.apiTokens().map(info).sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name)),
  );

  app.delete('/v1/tokens/:name', { schema: { tags: ['tokens'], summary: 'Revoke a cluster API token (by name or id): every node refuses it once applied', params: Type.Object({ name: Type.String({ maxLength: 128 }) }) } }, async (req, reply) => {
    await write(rt(), { type: 'apitoken.revoke', at: Date.now(), tokenId: (req.params as { name: string }).name });
    return reply.status(204).send();
  });

  app.get('/v1/audit', { schema: { tags: ['tokens'], summary: 'Operator writes as committed: who (token name), what, when, result; oldest first', querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }), response: { 200: Type.Array(AuditSchema) } } }, async (req): Promise<AuditRecord[]> => {
    const limit = (req.query as { limit?: number }).limit ?? 100;
    return rt().state.audit().slice(-limit);
  });

  app.get('/v1/cluster/settings', { schema: { tags: ['cluster'], summary: 'Settings an admin may change after init', response: { 200: SettingsSchema } } }, async () => settings(rt().state.config()));

  app.patch('/v1/cluster/settings', { schema: { tags: ['cluster'], summary: 'Change cluster settings (`shoal cluster update --allow-dangerous[=false]`); an event records the change', body: SettingsPatch, response: { 200: SettingsSchema } } }, async (req) => {
    const r = rt();
    const body = req.body as { allowDangerous?: boolean };
    await write(r, { type: 'cluster.config', at: Date.now(), config: { ...(body.allowDangerous !== undefined ? { allowDangerous: body.allowDangerous } : {}) } });
    return settings(r.state.config());
  });
}
