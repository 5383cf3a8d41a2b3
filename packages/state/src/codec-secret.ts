/** Field checks for the secret commands (see codec.ts): a peer's malformed command is refused, never applied. */
import { SECRET_MAX_BYTES, SECRET_NAME_PATTERN } from '@shoal/types';
import type { Checker } from './check.js';

/** A sealed value is base64 of at most the cap plus a header; configs are base64 of the value. */
const MAX_SEALED = Math.ceil((SECRET_MAX_BYTES + 256) / 3) * 4 + 8;
const MAX_KEY = 128;
const NAME = new RegExp(SECRET_NAME_PATTERN);
const B64 = /^[A-Za-z0-9+/_=-]*$/;

function blob(c: Checker, v: unknown, path: string, max = MAX_SEALED): boolean {
  return c.string(v, path, max) && (B64.test(v) || c.fail(path, 'expected base64'));
}

function checkRecord(c: Checker, v: unknown, path: string): boolean {
  return (
    c.object(v, path) &&
    c.id(v.id, `${path}.id`) &&
    c.string(v.name, `${path}.name`, 64) &&
    (NAME.test(v.name) || c.fail(`${path}.name`, `must match ${SECRET_NAME_PATTERN}`)) &&
    c.oneOf(v.kind, ['secret', 'config'] as const, `${path}.kind`) &&
    c.number(v.size, `${path}.size`, 0, true) &&
    (v.size <= SECRET_MAX_BYTES || c.fail(`${path}.size`, `over ${SECRET_MAX_BYTES} bytes`)) &&
    c.number(v.createdAt, `${path}.createdAt`, 0) &&
    c.optional(v.labels, () => c.stringMap(v.labels, `${path}.labels`, 64)) &&
    blob(c, v.data, `${path}.data`) &&
    c.optional(v.keyId, () => c.id(v.keyId, `${path}.keyId`))
  );
}

function checkSealedMap(c: Checker, v: unknown, path: string): boolean {
  if (!c.object(v, path)) return false;
  const entries = Object.entries(v);
  if (entries.length > 64) return c.fail(path, 'more than 64 entries');
  return entries.every(([k, s]) => c.id(k, `${path} key`) && blob(c, s, `${path}.${k}`, 1024));
}

export function checkSecretCommand(c: Checker, m: Record<string, unknown>): boolean {
  switch (m.type) {
    case 'secret.create':
      return checkRecord(c, m.secret, 'secret');
    case 'secret.remove':
      return c.id(m.secretId, 'secretId');
    case 'secret.grant':
      return (
        c.array(m.set, 'set', 100_000) &&
        m.set.every((g, i) => c.object(g, `set[${i}]`) && c.id(g.nodeId, `set[${i}].nodeId`) && c.id(g.secretId, `set[${i}].secretId`) && blob(c, g.sealed, `set[${i}].sealed`)) &&
        c.array(m.revoke, 'revoke', 100_000) &&
        m.revoke.every((g, i) => c.object(g, `revoke[${i}]`) && c.id(g.nodeId, `revoke[${i}].nodeId`) && c.id(g.secretId, `revoke[${i}].secretId`))
      );
    case 'secretstore.key': {
      const k = m.key;
      return (
        c.object(k, 'key') &&
        c.id(k.keyId, 'key.keyId') &&
        blob(c, k.publicKey, 'key.publicKey', MAX_KEY) &&
        checkSealedMap(c, k.sealed, 'key.sealed') &&
        c.number(k.createdAt, 'key.createdAt', 0) &&
        c.array(m.reseal, 'reseal', 100_000) &&
        m.reseal.every((r, i) => c.object(r, `reseal[${i}]`) && c.id(r.secretId, `reseal[${i}].secretId`) && blob(c, r.data, `reseal[${i}].data`))
      );
    }
    case 'secretstore.share':
      return c.id(m.keyId, 'keyId') && checkSealedMap(c, m.add, 'add') && c.stringList(m.remove, 'remove', 64);
    default:
      return c.fail('type', 'unknown command type');
  }
}
