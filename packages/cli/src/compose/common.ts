/**
 * Shared helpers of the Compose import: the context every key mapper gets,
 * and the small shape checks Compose's "string or list, map or list" forms
 * need. Errors are INVALID_SPEC naming the place in the file.
 */
import { ErrorCode, ShoalError } from '@shoal/types';
import { parseKeyValues } from '../spec-flags.js';

export type Doc = Record<string, unknown>;

/** What a key mapper knows besides the value it maps. */
export interface ComposeContext {
  /** The stack name; cluster objects of the stack are named `<stack>_<name>`. */
  stack: string;
  /** Directory of the Compose file: relative paths (binds, env_file) resolve against it. */
  dir: string;
  /** Variables for interpolation: the deploying shell's environment over the `.env` file. */
  vars: Readonly<Record<string, string | undefined>>;
  /** The user's home directory, for `~` in paths. */
  home: string;
  /** The whole (interpolated) document, for keys that refer to top-level sections. */
  doc: Doc;
  /** Reads a file named by the Compose file (env_file); injected so tests need no disk. */
  readFile: (path: string) => string;
  warn: (message: string) => void;
  /** Secrets and configs the stack creates from files (top-level `secrets:`/`configs:` with `file:`). */
  stackFiles?: StackFile[];
}

/** A secret or config `stack deploy` creates from a file before the services. */
export interface StackFile {
  kind: 'secret' | 'config';
  /** Cluster name: `<stack>_<name>`. */
  name: string;
  /** Absolute path of the file holding the value. */
  file: string;
}

export function fail(message: string): ShoalError {
  return new ShoalError(ErrorCode.InvalidSpec, message);
}

export function isDoc(v: unknown): v is Doc {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Compose strings-or-lists for command: "sh -c 'echo hi'" -> ["sh", "-c", "echo hi"]. */
export function splitCommand(value: unknown, where: string): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') throw fail(`${where}: expected a string or a list`);
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value)) !== null) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]));
  return out;
}

/** `environment`/`labels` style: a map or a list of KEY=VALUE. */
export function mapOrList(value: unknown, where: string): Record<string, string> {
  if (Array.isArray(value)) return parseKeyValues(value.map(String), where);
  if (isDoc(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === null ? '' : String(v)]));
  throw fail(`${where}: expected a map or a list of KEY=VALUE`);
}

export function stringList(value: unknown, where: string): string[] {
  if (!Array.isArray(value)) throw fail(`${where}: expected a list`);
  return value.map(String);
}
