/**
 * `extends`: a service built on another one, in this file or another
 * (`extends: {service, file}` or `extends: name`). Merged as Compose merges:
 * maps merge with the extending service winning (`environment` and `labels`
 * in list form too), the lists below are concatenated, anything else is
 * replaced. Relative paths in another file's service are not rebased onto
 * that file's directory: they resolve against the deployed file's directory.
 */
import { dirname } from 'node:path';
import { fail, isDoc, type ComposeContext, type Doc } from './common.js';
import { resolveHostPath } from './paths.js';

const CONCATENATED = new Set(['ports', 'expose', 'volumes', 'env_file', 'dns', 'cap_add', 'cap_drop', 'devices', 'extra_hosts', 'secrets', 'configs']);
const KEY_VALUE_LISTS = new Set(['environment', 'labels']);

type Loader = (text: string) => Doc & { services: Doc };

function asMap(value: unknown): Doc {
  if (!Array.isArray(value)) return value as Doc;
  return Object.fromEntries(value.map(String).map((item) => (item.includes('=') ? [item.slice(0, item.indexOf('=')), item.slice(item.indexOf('=') + 1)] : [item, null])));
}

function merge(base: Doc, local: Doc): Doc {
  const out: Doc = { ...base };
  for (const [k, v] of Object.entries(local)) {
    const b = base[k];
    if (KEY_VALUE_LISTS.has(k) && b !== undefined) out[k] = { ...asMap(b), ...asMap(v) };
    else if (CONCATENATED.has(k) && Array.isArray(b) && Array.isArray(v)) out[k] = [...b, ...v.filter((x) => !b.some((y) => JSON.stringify(y) === JSON.stringify(x)))];
    else if (isDoc(b) && isDoc(v) && k !== 'extends') out[k] = merge(b, v);
    else out[k] = v;
  }
  return out;
}

export function resolveExtends(services: Doc, ctx: ComposeContext, load: Loader): Doc {
  const files = new Map<string, Doc>();
  const resolve = (pool: Doc, name: string, file: string, dir: string, seen: string[]): Doc => {
    const svc = pool[name];
    const id = `${file}#${name}`;
    if (!isDoc(svc)) throw fail(`extends: service "${name}" is not defined${file ? ` in ${file}` : ''}`);
    if (seen.includes(id)) throw fail(`extends has a cycle: ${[...seen, id].join(' -> ')}`);
    const ext = svc.extends;
    if (ext === undefined) return svc;
    const where = `services.${name}.extends`;
    const target = typeof ext === 'string' ? { service: ext } : isDoc(ext) ? ext : undefined;
    if (!target || typeof target.service !== 'string') throw fail(`${where}: expected a service name or {service, file}`);
    let basePool = pool;
    let baseFile = file;
    let baseDir = dir;
    if (target.file !== undefined) {
      baseFile = resolveHostPath(String(target.file), { dir, home: ctx.home });
      baseDir = dirname(baseFile);
      if (!files.has(baseFile)) {
        let text: string;
        try {
          text = ctx.readFile(baseFile);
        } catch (err) {
          throw fail(`${where}: cannot read ${baseFile}: ${(err as Error).message}`);
        }
        files.set(baseFile, load(text).services);
      }
      basePool = files.get(baseFile)!;
    }
    const base = resolve(basePool, target.service, baseFile, baseDir, [...seen, id]);
    const { extends: _drop, ...local } = svc;
    void _drop;
    return merge(base, local);
  };
  return Object.fromEntries(Object.keys(services).map((name) => [name, resolve(services, name, '', ctx.dir, [])]));
}
