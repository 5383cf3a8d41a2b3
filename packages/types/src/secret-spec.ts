/**
 * What a service says about the secrets and configs it uses (Docker's
 * `--secret source=x,target=y,uid=,gid=,mode=`), and the metadata of a
 * stored secret or config. A secret's value never appears in these types:
 * it lives only sealed in the state (see @shoal/secrets).
 */
import { Type, type Static } from '@sinclair/typebox';

/** Names as Docker allows them: letters, digits, - _ . ; up to 64 characters. */
export const SECRET_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';
/** Swarm's cap on a secret or config value. */
export const SECRET_MAX_BYTES = 500 * 1024;

export const FileRefSchema = Type.Object(
  {
    source: Type.String({ pattern: SECRET_NAME_PATTERN, description: 'Name of the secret or config' }),
    target: Type.Optional(
      Type.String({ minLength: 1, maxLength: 4096, description: 'Secret: file name under /run/secrets (or an absolute path); config: absolute path. Default: the source name' }),
    ),
    uid: Type.Optional(Type.String({ pattern: '^[0-9]{1,10}$', description: 'File owner uid; default 0' })),
    gid: Type.Optional(Type.String({ pattern: '^[0-9]{1,10}$', description: 'File group gid; default 0' })),
    mode: Type.Optional(Type.Integer({ minimum: 0, maximum: 0o777, description: 'File mode; default 0400 (secrets), 0444 (configs)' })),
  },
  { additionalProperties: false },
);
export type FileRef = Static<typeof FileRefSchema>;

export type SecretKind = 'secret' | 'config';

/** What `secret ls` / `inspect` show: never the value of a secret. */
export interface SecretMeta {
  id: string;
  name: string;
  kind: SecretKind;
  /** Size of the value in bytes. */
  size: number;
  labels?: Record<string, string>;
  createdAt: number;
  /** Configs only: the value (configs are not secret; `config inspect` shows it). */
  data?: string;
  /** Services that use it (filled in by the API). */
  usedBy?: string[];
}
