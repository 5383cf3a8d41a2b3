/**
 * Compose -> service specs, for `shoal stack deploy`. What maps is mapped;
 * every key we do not support is reported as a warning rather than silently
 * dropped or refused. One file per concern: load.ts (YAML), service.ts and
 * service-keys.ts (the per-key table), ports, deploy, healthcheck, volumes,
 * top-level.ts (sections besides `services`).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import type { ServiceSpec } from '@shoal/types';
import type { ComposeContext } from './common.js';
import { checkStackName, parseComposeYaml } from './load.js';
import { serviceSpec } from './service.js';
import { mapTopLevel } from './top-level.js';
import type { StackFile } from './secrets.js';
export type { StackFile } from './secrets.js';

export { splitCommand } from './common.js';

export interface ComposeImport {
  specs: ServiceSpec[];
  warnings: string[];
  /** Secrets and configs to create from files before the services. */
  files: StackFile[];
}

export interface ComposeOptions {
  /** Directory of the Compose file (default: the current directory). */
  dir?: string;
  home?: string;
  readFile?: (path: string) => string;
}

export function composeToSpecs(yamlText: string, stack: string, opts: ComposeOptions = {}): ComposeImport {
  checkStackName(stack);
  const doc = parseComposeYaml(yamlText);
  const warnings: string[] = [];
  const files: StackFile[] = [];
  const ctx: ComposeContext = {
    stackFiles: files,
    stack,
    dir: opts.dir ?? '.',
    home: opts.home ?? homedir(),
    doc,
    readFile: opts.readFile ?? ((path) => readFileSync(path, 'utf8')),
    warn: (m) => warnings.push(m),
  };
  mapTopLevel(doc, ctx);
  const specs = Object.entries(doc.services).map(([name, svc]) => serviceSpec(name, svc, ctx));
  return { specs, warnings, files };
}
