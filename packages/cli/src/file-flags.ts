/**
 * `--secret`, `--config`, `--secret-add/-rm`, `--config-add/-rm`,
 * `--mount`, `--volume-policy` and `--with-registry-auth`, in Docker's syntax:
 *   --secret db_password
 *   --secret source=db_password,target=/run/secrets/pw,uid=999,gid=999,mode=0400
 *   --mount type=volume,source=data,target=/data
 */
import type { Command } from 'commander';
import { ErrorCode, ShoalError, type FileRef, type ServiceSpec } from '@shoal/types';
import { collect } from './commands/context.js';

export interface FileFlags {
  secret?: string[];
  config?: string[];
  secretAdd?: string[];
  secretRm?: string[];
  configAdd?: string[];
  configRm?: string[];
  mount?: string[];
  volumePolicy?: string;
  withRegistryAuth?: boolean;
}

export function fileOptions(cmd: Command): Command {
  return cmd
    .option('--secret <source[,target=..,uid=..,gid=..,mode=..]>', 'give tasks a secret as a file (repeatable; replaces the list)', collect)
    .option('--config <source[,target=..,uid=..,gid=..,mode=..]>', 'give tasks a config as a file (repeatable; replaces the list)', collect)
    .option('--secret-add <ref>', 'add a secret (update; repeatable)', collect)
    .option('--secret-rm <name>', 'remove a secret (update; repeatable)', collect)
    .option('--config-add <ref>', 'add a config (update; repeatable)', collect)
    .option('--config-rm <name>', 'remove a config (update; repeatable)', collect)
    .option('--mount <type=volume|bind|tmpfs,source=..,target=..[,readonly]>', 'mount a volume, host path or tmpfs (repeatable; replaces the list)', collect)
    .option('--volume-policy <policy>', 'when the node holding a named volume is down: wait (default) or move')
    .option('--with-registry-auth', 'let the nodes that pull the image use the credentials of `shoal registry login` for its registry');
}

function bad(message: string): ShoalError {
  return new ShoalError(ErrorCode.InvalidSpec, message);
}

/** "name" or "source=name,target=t,uid=1,gid=1,mode=0400" (mode in octal, as Docker). */
export function parseFileRef(text: string, flag: string): FileRef {
  if (!text.includes('=')) return { source: text.trim() };
  const ref: Partial<FileRef> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (eq < 0 || value === '') throw bad(`${flag}: "${part}" must be KEY=VALUE`);
    if (key === 'source' || key === 'src') ref.source = value;
    else if (key === 'target' || key === 'dst' || key === 'destination') ref.target = value;
    else if (key === 'uid' || key === 'gid') ref[key] = value;
    else if (key === 'mode') {
      if (!/^0?[0-7]{1,3}$/.test(value)) throw bad(`${flag}: mode "${value}" must be octal, e.g. 0400`);
      ref.mode = parseInt(value, 8);
    } else throw bad(`${flag}: unknown key "${key}" (use source, target, uid, gid, mode)`);
  }
  if (!ref.source) throw bad(`${flag}: "${text}" has no source`);
  return ref as FileRef;
}

type Mount = NonNullable<ServiceSpec['mounts']>[number];

export function parseMount(text: string): Mount {
  const m: Partial<Mount> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const value = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (key === 'type') {
      if (value !== 'volume' && value !== 'bind' && value !== 'tmpfs') throw bad(`--mount: type must be volume, bind or tmpfs, not "${value}"`);
      m.type = value;
    } else if (key === 'source' || key === 'src') m.source = value;
    else if (key === 'target' || key === 'dst' || key === 'destination') m.target = value;
    else if (key === 'readonly' || key === 'ro') m.readOnly = value === '' || value === 'true' || value === '1';
    else throw bad(`--mount: unknown key "${key}" (use type, source, target, readonly)`);
  }
  if (!m.target) throw bad(`--mount: "${text}" has no target`);
  return { type: m.type ?? 'volume', target: m.target, ...(m.source ? { source: m.source } : {}), ...(m.readOnly ? { readOnly: true } : {}) };
}

function mergeRefs(list: FileRef[] | undefined, add: string[] | undefined, rm: string[] | undefined, flag: string): FileRef[] | undefined {
  let out = [...(list ?? [])];
  if (rm?.length) {
    const missing = rm.filter((n) => !out.some((r) => r.source === n));
    if (missing.length) throw bad(`--${flag}-rm: the service does not use ${missing.join(', ')}`);
    out = out.filter((r) => !rm.includes(r.source));
  }
  for (const text of add ?? []) {
    const ref = parseFileRef(text, `--${flag}-add`);
    out = [...out.filter((r) => r.source !== ref.source), ref];
  }
  return out;
}

/** The registry host of an image reference, as Docker reads it. */
export function registryOf(image: string): string {
  const first = image.split('/')[0];
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

/** The secret `shoal registry login HOST` stores the credentials in. */
export function registrySecretName(host: string): string {
  return `registry-${host.replace(/[^A-Za-z0-9_.-]/g, '-')}`;
}

export function applyFileFlags(spec: ServiceSpec, f: FileFlags): void {
  if (f.secret?.length) spec.secrets = f.secret.map((s) => parseFileRef(s, '--secret'));
  if (f.config?.length) spec.configs = f.config.map((s) => parseFileRef(s, '--config'));
  if (f.secretAdd?.length || f.secretRm?.length) spec.secrets = mergeRefs(spec.secrets, f.secretAdd, f.secretRm, 'secret');
  if (f.configAdd?.length || f.configRm?.length) spec.configs = mergeRefs(spec.configs, f.configAdd, f.configRm, 'config');
  if (spec.secrets?.length === 0) delete spec.secrets;
  if (spec.configs?.length === 0) delete spec.configs;
  if (f.mount?.length) spec.mounts = f.mount.map(parseMount);
  if (f.volumePolicy !== undefined) {
    if (f.volumePolicy !== 'wait' && f.volumePolicy !== 'move') throw bad(`--volume-policy: "${f.volumePolicy}" must be wait or move`);
    spec.volumePolicy = f.volumePolicy;
  }
  if (f.withRegistryAuth) {
    if (!spec.image) throw bad('--with-registry-auth needs --image');
    spec.registryAuth = registrySecretName(registryOf(spec.image));
  }
}
