/**
 * The API's secret and config operations on a node: values are sealed on
 * arrival and never returned; metadata comes from the local replica.
 */
import { ErrorCode, ShoalError, type SecretKind, type SecretMeta, type ServiceSpec } from '@shoal/types';
import type { CreateSecretRequest, KeyRotation } from '@shoal/api';
import { secretsNeeded } from '@shoal/secrets';
import type { SecretRecord } from '@shoal/state';
import type { ClusterRuntime } from './runtime.js';
import { operatorWrite } from './operator-write.js';

export function toMeta(rt: ClusterRuntime, rec: SecretRecord): SecretMeta {
  const meta: SecretMeta = { id: rec.id, name: rec.name, kind: rec.kind, size: rec.size, createdAt: rec.createdAt, usedBy: rt.state.secretUsers(rec) };
  if (rec.labels) meta.labels = rec.labels;
  if (rec.kind === 'config') meta.data = rec.data;
  return meta;
}

function find(rt: ClusterRuntime, kind: SecretKind, idOrName: string): SecretRecord {
  const rec = rt.state.secretRecord(kind, idOrName);
  if (!rec) throw new ShoalError(ErrorCode.NotFound, `${kind} ${idOrName} not found; list them with \`shoal ${kind} ls\``);
  return rec;
}

export async function propose(rt: ClusterRuntime, cmd: Parameters<ClusterRuntime['propose']>[0]): Promise<string | undefined> {
  const { result } = await operatorWrite(rt, cmd);
  if (!result.ok) throw new ShoalError(result.error.code === ErrorCode.NotFound ? ErrorCode.NotFound : ErrorCode.Conflict, result.error.message);
  return result.id;
}

export const secretOps = {
  list(rt: ClusterRuntime, kind: SecretKind): SecretMeta[] {
    return rt.state.secretRecords(kind).map((r) => toMeta(rt, r)).sort((a, b) => a.name.localeCompare(b.name));
  },
  get(rt: ClusterRuntime, kind: SecretKind, idOrName: string): SecretMeta {
    return toMeta(rt, find(rt, kind, idOrName));
  },
  async create(rt: ClusterRuntime, kind: SecretKind, req: CreateSecretRequest): Promise<SecretMeta> {
    if (!/^[A-Za-z0-9+/=_-]*$/.test(req.data)) throw new ShoalError(ErrorCode.InvalidSpec, 'data: expected the value in base64');
    const value = Buffer.from(req.data, 'base64');
    if (value.length === 0) throw new ShoalError(ErrorCode.InvalidSpec, `the ${kind} value is empty; give a file or standard input with the value`);
    if (rt.state.secretRecord(kind, req.name)) {
      throw new ShoalError(ErrorCode.Conflict, `${kind} ${req.name} already exists; values are immutable: create a new one and switch with \`shoal service update NAME --${kind}-rm ${req.name} --${kind}-add NEW\``);
    }
    try {
      // A rotation committed but not yet applied here makes the first seal stale: wait for this replica and seal again.
      for (let attempt = 0; ; attempt++) {
        const rec = rt.secrets.seal(kind, req.name, value, req.labels);
        const { result, index } = await operatorWrite(rt, { type: 'secret.create', at: Date.now(), secret: rec });
        if (result.ok) return toMeta(rt, find(rt, kind, rec.id));
        if (!result.error.message.includes('was rotated') || attempt >= 5) throw new ShoalError(ErrorCode.Conflict, result.error.message);
        await rt.waitApplied(index, Date.now() + 2000);
        await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
      }
    } finally {
      value.fill(0);
    }
  },
  async remove(rt: ClusterRuntime, kind: SecretKind, idOrName: string): Promise<void> {
    const rec = find(rt, kind, idOrName);
    await propose(rt, { type: 'secret.remove', at: Date.now(), secretId: rec.id });
  },
  rotate(rt: ClusterRuntime): Promise<KeyRotation> {
    return rt.secrets.rotate();
  },
};

/** A service may only name secrets and configs that exist. */
export function checkFileRefs(rt: ClusterRuntime, spec: ServiceSpec): void {
  const missing = [
    ...secretsNeeded(spec).filter((n) => !rt.state.secretRecord('secret', n)).map((n) => `secret ${n}`),
    ...(spec.configs ?? []).map((c) => c.source).filter((n) => !rt.state.secretRecord('config', n)).map((n) => `config ${n}`),
  ];
  if (missing.length > 0) {
    throw new ShoalError(ErrorCode.InvalidSpec, `service ${spec.name} uses ${missing.join(', ')}, which do(es) not exist; create them first (\`shoal secret create NAME FILE\`, \`shoal config create NAME FILE\`)`);
  }
}
