/**
 * `env_file` and `environment`. Files are read in order, later ones win,
 * and `environment` wins over all of them, as in `docker compose`.
 */
import type { ServiceSpec } from '@shoal/types';
import { fail, isDoc, type ComposeContext } from './common.js';
import { parseDotenv } from './dotenv.js';
import { resolveHostPath } from './paths.js';

export function envFiles(spec: ServiceSpec, value: unknown, where: string, ctx: ComposeContext): void {
  const entries = Array.isArray(value) ? value : [value];
  for (const [i, entry] of entries.entries()) {
    const path = isDoc(entry) ? entry.path : entry;
    const required = isDoc(entry) ? entry.required !== false : true;
    if (typeof path !== 'string') throw fail(`${where}[${i}]: expected a file path`);
    const file = resolveHostPath(path, ctx);
    let text: string;
    try {
      text = ctx.readFile(file);
    } catch (err) {
      if (!required) continue;
      throw fail(`${where}: cannot read ${file}: ${(err as Error).message}`);
    }
    spec.env = { ...spec.env, ...parseDotenv(text, file, ctx.vars, ctx.warn) };
  }
}

export function environment(spec: ServiceSpec, value: unknown, where: string, ctx: ComposeContext): void {
  const env: Record<string, string> = {};
  // "KEY" without a value takes it from the deploying shell (or .env), as `docker compose` does.
  const put = (key: string, v: string | undefined) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw fail(`${where}: "${key}" is not a variable name`);
    const resolved = v ?? ctx.vars[key];
    if (resolved !== undefined) env[key] = resolved;
    else ctx.warn(`${where}.${key}: no value and not set in the environment; ${spec.env?.[key] !== undefined ? 'the env_file value is kept' : 'left out'}`);
  };
  if (Array.isArray(value)) {
    for (const item of value.map(String)) {
      const eq = item.indexOf('=');
      put(eq < 0 ? item : item.slice(0, eq), eq < 0 ? undefined : item.slice(eq + 1));
    }
  } else if (isDoc(value)) {
    for (const [k, v] of Object.entries(value)) put(k, v === null ? undefined : String(v));
  } else throw fail(`${where}: expected a map or a list of KEY=VALUE`);
  spec.env = { ...spec.env, ...env };
}
