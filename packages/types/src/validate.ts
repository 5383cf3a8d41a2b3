/**
 * Service spec validation: the TypeBox schema first (shape and ranges), then
 * the rules a schema cannot say. Every problem is reported at once, each as
 * `path: what is wrong — how to fix`, so a user fixes a spec in one round.
 */
import { Value } from '@sinclair/typebox/value';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { parseConstraint, CONSTRAINT_HELP } from './constraint.js';
import { cronIssue } from './cron.js';
import { applySpecDefaults, isJobMode, type ResolvedServiceSpec } from './defaults.js';
import { ErrorCode, ShoalError } from './errors.js';
import { hygieneIssues } from './input-hygiene.js';
import { ServiceSpecSchema, type ServiceSpec } from './spec.js';
import { fileRefIssues } from './validate-files.js';

export interface SpecIssue {
  /** Dotted path, e.g. `ports[1].published`; `(spec)` for the whole spec. */
  path: string;
  problem: string;
  fix: string;
}

function dotted(pointer: string): string {
  if (pointer === '') return '(spec)';
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc === '' ? part : `${acc}.${part}`), '');
}

function describeFix(e: ValueError): string {
  const s = e.schema as Record<string, unknown>;
  switch (e.type) {
    case ValueErrorType.ObjectAdditionalProperties: {
      return 'remove it (check the spelling against the documented fields)';
    }
    case ValueErrorType.ObjectRequiredProperty:
      return 'add it';
    case ValueErrorType.Union: {
      const options = ((s.anyOf as { const?: unknown }[] | undefined) ?? []).map((o) => o.const).filter((c) => c !== undefined);
      return options.length > 0 ? `use one of ${options.map((o) => JSON.stringify(o)).join(', ')}` : 'use one of the allowed forms';
    }
    case ValueErrorType.StringPattern:
      return typeof s.description === 'string' ? `use ${s.description}` : `match ${String(s.pattern)}`;
    default:
      break;
  }
  const parts: string[] = [];
  if (typeof s.minimum === 'number') parts.push(`>= ${s.minimum}`);
  if (typeof s.maximum === 'number') parts.push(`<= ${s.maximum}`);
  if (typeof s.minLength === 'number') parts.push(`at least ${s.minLength} character(s)`);
  if (typeof s.minItems === 'number') parts.push(`at least ${s.minItems} item(s)`);
  const kind = typeof s.type === 'string' ? `${/^[aeiou]/.test(s.type) ? 'an' : 'a'} ${s.type}` : 'a valid value';
  const desc = typeof s.description === 'string' ? ` (${s.description})` : '';
  return `give ${kind}${parts.length ? ' ' + parts.join(', ') : ''}${desc}`;
}

function schemaIssues(raw: unknown): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(ServiceSpecSchema, raw)) {
    const path = dotted(e.path);
    // A union reports one error per branch too; the first error per path is the useful one.
    if (seen.has(path)) continue;
    seen.add(path);
    issues.push({ path, problem: e.message.replace(/^Expected/, 'expected'), fix: describeFix(e) });
    if (issues.length >= 50) break;
  }
  return issues;
}

function semanticIssues(spec: ServiceSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const add = (path: string, problem: string, fix: string) => issues.push({ path, problem, fix });
  const driver = spec.driver ?? 'docker';
  if (driver === 'docker' && !spec.image) add('image', 'missing for the docker driver', 'set an image, e.g. "nginx:1.27", or use driver "exec"');
  if (driver === 'exec' && (!spec.command || spec.command.length === 0 || spec.command[0] === '')) {
    add('command', 'missing for the exec driver', 'set command to the program and its arguments, e.g. ["/bin/sleep", "60"]');
  }
  if ((spec.mode ?? 'replicated') === 'global' && spec.replicas !== undefined) {
    add('replicas', 'set on a global service', 'remove replicas (a global service runs one task per eligible node) or use mode "replicated"');
  }
  jobIssues(spec, add);
  if ((spec.update?.canary ?? 0) > 0 && (spec.mode ?? 'replicated') !== 'replicated') {
    add('update.canary', `set on a ${spec.mode} service`, 'canaries run beside a replicated service\'s tasks; remove update.canary');
  }
  (spec.placement?.constraints ?? []).forEach((c, i) => {
    try {
      parseConstraint(c);
    } catch {
      add(`placement.constraints[${i}]`, `"${c}" is not a valid constraint`, CONSTRAINT_HELP);
    }
  });
  const published = new Map<string, number>();
  (spec.ports ?? []).forEach((p, i) => {
    const key = `${p.published}/${p.protocol ?? 'tcp'}`;
    const first = published.get(key);
    if (first !== undefined) add(`ports[${i}].published`, `${key} is already published by ports[${first}]`, 'publish each node port once');
    else published.set(key, i);
    if ((p.mode ?? 'ingress') === 'ingress' && spec.endpointMode === 'dnsrr') {
      add(`ports[${i}].mode`, 'an ingress port needs a virtual IP, but endpointMode is dnsrr', 'publish it with mode "host" or use endpointMode "vip"');
    }
  });
  const nets = new Set<string>();
  (spec.networks ?? []).forEach((n, i) => {
    if (nets.has(n.name)) add(`networks[${i}].name`, `network "${n.name}" is listed twice`, 'list each network once');
    nets.add(n.name);
  });
  const res = spec.resources;
  for (const k of ['cpus', 'memoryBytes'] as const) {
    const limit = res?.limits?.[k];
    const reservation = res?.reservations?.[k];
    if (limit !== undefined && reservation !== undefined && limit < reservation) {
      add(`resources.limits.${k}`, `${limit} is below the reservation ${reservation}`, 'raise the limit or lower the reservation');
    }
  }
  (spec.mounts ?? []).forEach((m, i) => {
    if (m.type === 'bind' && (!m.source || !m.source.startsWith('/'))) add(`mounts[${i}].source`, 'a bind mount needs an absolute host path', 'set source to an absolute path such as /srv/data');
    if (m.type === 'tmpfs' && m.source) add(`mounts[${i}].source`, 'a tmpfs mount has no source', 'remove source');
  });
  fileRefIssues(spec, add);
  const test = spec.healthcheck?.test;
  if (test && !['CMD', 'CMD-SHELL', 'NONE'].includes(test[0])) {
    add('healthcheck.test[0]', `"${test[0]}" is not a check kind`, 'start with "CMD", "CMD-SHELL" or "NONE"');
  }
  if (test && (test[0] === 'CMD' || test[0] === 'CMD-SHELL') && test.length < 2) add('healthcheck.test', 'has no command', 'add the command after the kind, e.g. ["CMD-SHELL", "curl -f localhost"]');
  issues.push(...hygieneIssues(spec));
  return issues;
}

/** Job modes: `job` belongs to them alone, replicas do not, and a schedule must parse. */
function jobIssues(spec: ServiceSpec, add: (path: string, problem: string, fix: string) => void): void {
  const mode = spec.mode ?? 'replicated';
  if (!isJobMode(mode)) {
    if (spec.job !== undefined) add('job', `set on a ${mode} service`, 'use mode "replicated-job" or "global-job" (`shoal job run`), or remove job');
    return;
  }
  if (spec.replicas !== undefined) add('replicas', `set on a ${mode}`, 'use job.completions and job.parallelism for a replicated-job');
  if (mode === 'global-job' && (spec.job?.completions !== undefined || spec.job?.parallelism !== undefined)) {
    add('job', 'completions/parallelism set on a global-job', 'a global-job runs one task per eligible node; use mode "replicated-job" to count completions');
  }
  const schedule = spec.job?.schedule;
  const why = schedule !== undefined ? cronIssue(schedule) : null;
  if (why !== null) add('job.schedule', `"${schedule}" is not a cron schedule: ${why}`, "use 5 fields, e.g. '*/15 * * * *' (every 15 minutes, UTC)");
}

export function formatSpecIssues(issues: SpecIssue[]): string {
  const lines = issues.map((i) => `  ${i.path}: ${i.problem} — ${i.fix}`);
  return `invalid service spec (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
}

/** Lists every problem with a raw spec; empty when it is valid. */
export function specIssues(raw: unknown): SpecIssue[] {
  const shape = schemaIssues(raw);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return shape;
  let semantic: SpecIssue[] = [];
  try {
    semantic = semanticIssues(raw as ServiceSpec);
  } catch {
    // A malformed shape can trip a semantic rule; the shape issues already say what to fix.
  }
  const reported = new Set(shape.map((i) => i.path));
  return [...shape, ...semantic.filter((i) => !reported.has(i.path))];
}

/**
 * Validates untrusted input and returns the spec with defaults applied.
 * Throws ShoalError INVALID_SPEC whose message lists every problem and whose
 * `details.issues` holds them as {path, problem, fix}.
 */
export function validateServiceSpec(raw: unknown): ResolvedServiceSpec {
  const issues = specIssues(raw);
  if (issues.length > 0) throw new ShoalError(ErrorCode.InvalidSpec, formatSpecIssues(issues), { issues });
  return applySpecDefaults(structuredClone(raw as ServiceSpec));
}
