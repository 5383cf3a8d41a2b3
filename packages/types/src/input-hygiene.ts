/**
 * Input a schema cannot refuse but a task would choke on: NUL bytes (execve
 * and Docker cut strings there, so the task fails forever), env keys with
 * `=` (`A=B=C` sets a different variable), image names that are not
 * references, and health checks so frequent they burn a core.
 */
import type { ServiceSpec } from './spec.js';

export interface HygieneIssue {
  path: string;
  problem: string;
  fix: string;
}

/** Docker's reference grammar (distribution/reference), shortened: [host[:port]/]path[:tag][@digest]. */
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]{1,5})?/)';
const TAG = ':[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}';
const DIGEST = '@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const IMAGE_REFERENCE = new RegExp(`^${DOMAIN}?${COMPONENT}(?:/${COMPONENT})*(?:${TAG})?(?:${DIGEST})?$`);
export const MAX_IMAGE_LENGTH = 512;

/** The shortest health-check interval and timeout a spec may ask for (0 = the default). */
export const MIN_HEALTH_INTERVAL_MS = 1000;
export const MIN_HEALTH_TIMEOUT_MS = 100;

export function isImageReference(image: string): boolean {
  return image.length <= MAX_IMAGE_LENGTH && IMAGE_REFERENCE.test(image);
}

function nulIssues(value: unknown, path: string, out: HygieneIssue[]): void {
  if (out.length >= 20) return;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) out.push({ path, problem: 'contains a NUL byte', fix: 'remove the \\0 character (programs cannot receive it)' });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nulIssues(v, `${path}[${i}]`, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const at = path === '' ? k : `${path}.${k}`;
      if (k.includes('\u0000')) out.push({ path: at, problem: 'key contains a NUL byte', fix: 'remove the \\0 character' });
      nulIssues(v, at, out);
    }
  }
}

export function hygieneIssues(spec: ServiceSpec): HygieneIssue[] {
  const issues: HygieneIssue[] = [];
  nulIssues(spec, '', issues);
  for (const key of Object.keys(spec.env ?? {})) {
    if (key.includes('=') || key === '') issues.push({ path: `env.${key}`, problem: 'an environment variable name cannot contain "=" or be empty', fix: 'use letters, digits and _ only, e.g. DB_HOST' });
  }
  if (typeof spec.image === 'string' && spec.image !== '' && !isImageReference(spec.image)) {
    const shown = spec.image.length > 60 ? `${spec.image.slice(0, 60)}… (${spec.image.length} characters)` : spec.image;
    issues.push({ path: 'image', problem: `"${shown}" is not an image reference`, fix: `use [registry/]name[:tag][@digest] in lower case, at most ${MAX_IMAGE_LENGTH} characters, e.g. "nginx:1.27"` });
  }
  const hc = spec.healthcheck;
  if (hc?.intervalMs !== undefined && hc.intervalMs !== 0 && hc.intervalMs < MIN_HEALTH_INTERVAL_MS) {
    issues.push({ path: 'healthcheck.intervalMs', problem: `${hc.intervalMs} ms is too frequent`, fix: `use at least ${MIN_HEALTH_INTERVAL_MS} ms (or 0 for the default of 30 s)` });
  }
  if (hc?.timeoutMs !== undefined && hc.timeoutMs !== 0 && hc.timeoutMs < MIN_HEALTH_TIMEOUT_MS) {
    issues.push({ path: 'healthcheck.timeoutMs', problem: `${hc.timeoutMs} ms is too short for a check to run`, fix: `use at least ${MIN_HEALTH_TIMEOUT_MS} ms (or 0 for the default)` });
  }
  return issues;
}
