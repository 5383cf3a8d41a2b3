/**
 * Compose -> service specs, for `shoal stack deploy`. What maps is mapped;
 * every key we do not support is reported as a warning rather than silently
 * dropped or refused. One file per concern: load.ts (YAML, `.env`),
 * interpolate.ts, extends.ts, service.ts and service-keys.ts (the per-key
 * table), ports, deploy, healthcheck, volumes, environment, restart,
 * depends-on.ts (creation order), top-level.ts (sections besides `services`).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ServiceSpec } from '@shoal/types';
import type { ComposeContext, Doc } from './common.js';
import { creationOrder, dependenciesOf, type Dependency } from './depends-on.js';
import { parseDotenv } from './dotenv.js';
import { resolveExtends } from './extends.js';
import { interpolateDoc, interpolator, type Vars } from './interpolate.js';
import { checkStackName, parseComposeYaml } from './load.js';
import { serviceSpec } from './service.js';
import { mapTopLevel } from './top-level.js';
import type { StackFile } from './secrets.js';
export type { StackFile } from './secrets.js';

export { splitCommand } from './common.js';
export type { Dependency, DependencyCondition } from './depends-on.js';

export interface ComposeImport {
  /** In creation order: every service after the ones it depends on. */
  specs: ServiceSpec[];
  /** Spec name -> what must be started (or healthy) before it is created. */
  dependencies: Record<string, { service: string; condition: Dependency['condition'] }[]>;
  warnings: string[];
  /** Secrets and configs to create from files before the services (top-level `file:` entries). */
  files: StackFile[];
}

export interface ComposeOptions {
  /** Directory of the Compose file (default: the current directory); `.env` is read from it. */
  dir?: string;
  /** The deploying shell's environment; it wins over `.env`. */
  env?: Vars;
  home?: string;
  /** Reads files named by the Compose file (.env, env_file, extends); throws when absent. */
  readFile?: (path: string) => string;
}

function readOptional(readFile: (p: string) => string, path: string): string | undefined {
  try {
    return readFile(path);
  } catch {
    return undefined;
  }
}

export function composeToSpecs(yamlText: string, stack: string, opts: ComposeOptions = {}): ComposeImport {
  checkStackName(stack);
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);
  const dir = opts.dir ?? '.';
  const readFile = opts.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const shell = opts.env ?? {};
  const dotenvText = readOptional(readFile, join(dir, '.env'));
  const vars: Vars = { ...(dotenvText === undefined ? {} : parseDotenv(dotenvText, '.env', shell, warn)), ...definedOnly(shell) };
  const interpolate = interpolator(vars, warn);
  const files: StackFile[] = [];
  const ctx: ComposeContext = { stack, dir, vars, home: opts.home ?? homedir(), doc: {}, readFile, warn, stackFiles: files };
  const doc = interpolateDoc(parseComposeYaml(yamlText), interpolate) as Doc & { services: Doc };
  doc.services = resolveExtends(doc.services, ctx, (text) => interpolateDoc(parseComposeYaml(text), interpolate) as Doc & { services: Doc });
  ctx.doc = doc;
  mapTopLevel(doc, ctx);
  const graph = new Map<string, Dependency[]>();
  for (const [name, svc] of Object.entries(doc.services)) graph.set(name, dependenciesOf(name, (svc ?? {}) as Doc, doc.services, ctx));
  const byName = new Map(Object.entries(doc.services).map(([name, svc]) => [name, serviceSpec(name, svc, ctx)]));
  const specs = creationOrder(graph).map((name) => byName.get(name)!);
  const dependencies = Object.fromEntries(
    [...graph].filter(([, deps]) => deps.length > 0).map(([name, deps]) => [byName.get(name)!.name, deps.map((d) => ({ service: byName.get(d.service)!.name, condition: d.condition }))]),
  );
  return { specs, dependencies, warnings, files };
}

function definedOnly(env: Vars): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
