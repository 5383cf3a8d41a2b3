/**
 * Rules for a spec's `secrets` and `configs` that a schema cannot say:
 * safe target paths, one file per target, and targets the driver can honour.
 */
import type { ServiceSpec } from './spec.js';

type Add = (path: string, problem: string, fix: string) => void;

/** Where a file lands inside a Docker task; for the exec driver, its name inside the task's private dir. */
export function fileTarget(kind: 'secret' | 'config', ref: { source: string; target?: string }): string {
  const t = ref.target ?? ref.source;
  if (t.startsWith('/')) return t;
  return kind === 'secret' ? `/run/secrets/${t}` : `/${t}`;
}

export function fileRefIssues(spec: ServiceSpec, add: Add): void {
  const seen = new Map<string, string>();
  for (const kind of ['secret', 'config'] as const) {
    const list = (kind === 'secret' ? spec.secrets : spec.configs) ?? [];
    list.forEach((ref, i) => {
      const path = `${kind}s[${i}].target`;
      const target = fileTarget(kind, ref);
      if (target.split('/').some((part) => part === '..' || part === '.')) {
        add(path, `"${ref.target}" contains . or .. segments`, 'give a plain path such as /run/secrets/db_password');
        return;
      }
      if (target.includes('\0') || target.endsWith('/')) {
        add(path, `"${ref.target}" is not a file path`, 'give a file path that does not end with /');
        return;
      }
      const first = seen.get(target);
      if (first) add(path, `${target} is already the target of ${first}`, 'give each secret and config its own target');
      else seen.set(target, `${kind}s[${i}]`);
    });
  }
  if (spec.registryAuth && (spec.driver ?? 'docker') !== 'docker') add('registryAuth', 'set on an exec service', 'registry credentials are for pulling Docker images; remove it');
}
