/**
 * Compose v3 -> service specs, for `shoal stack deploy`. What maps is
 * mapped; every key we do not support is reported as a warning rather than
 * silently dropped or refused.
 */
import { parse as parseYaml } from 'yaml';
import { ErrorCode, ShoalError, type HealthCheck, type PortSpec, type ServiceSpec, type UpdateConfig } from '@shoal/types';
import { parseDuration, parseSize } from './units.js';
import { parseKeyValues, parsePort } from './spec-flags.js';

export interface ComposeImport {
  specs: ServiceSpec[];
  warnings: string[];
}

type Doc = Record<string, unknown>;

const SERVICE_KEYS = new Set([
  'image', 'command', 'entrypoint', 'environment', 'ports', 'deploy', 'healthcheck', 'labels', 'working_dir',
  'stop_grace_period', 'stop_signal', 'volumes', 'privileged', 'network_mode', 'pid', 'cap_add', 'devices',
]);
const DEPLOY_KEYS = new Set(['replicas', 'mode', 'resources', 'placement', 'update_config', 'rollback_config', 'restart_policy', 'labels']);

function fail(message: string): ShoalError {
  return new ShoalError(ErrorCode.InvalidSpec, message);
}

function isDoc(v: unknown): v is Doc {
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

function mapOrList(value: unknown, where: string): Record<string, string> {
  if (Array.isArray(value)) return parseKeyValues(value.map(String), where);
  if (isDoc(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === null ? '' : String(v)]));
  throw fail(`${where}: expected a map or a list of KEY=VALUE`);
}

function composePort(value: unknown, where: string, warn: (m: string) => void): PortSpec | undefined {
  if (isDoc(value)) {
    if (value.published === undefined) return void warn(`${where}: a port without "published" is not exposed on nodes; ignored`);
    if (value.mode !== undefined && value.mode !== 'host') warn(`${where}: mode ${String(value.mode)} is not supported; published in host mode`);
    return parsePort(`${value.published}:${value.target}${value.protocol === 'udp' ? '/udp' : ''}`);
  }
  const text = String(value);
  const short = /^(?:[\d.]+:)?(\d+:\d+(?:\/(?:tcp|udp))?)$/.exec(text);
  if (!short) return void warn(`${where}: "${text}" is not PUBLISHED:TARGET; ignored`);
  if (text.split(':').length === 3) warn(`${where}: host IP in "${text}" is ignored`);
  return parsePort(short[1]);
}

function updateConfig(value: unknown, where: string, warn: (m: string) => void): UpdateConfig {
  if (!isDoc(value)) throw fail(`${where}: expected a map`);
  const u: UpdateConfig = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'parallelism') u.parallelism = Number(v);
    else if (k === 'delay') u.delayMs = parseDuration(String(v), `${where}.delay`);
    else if (k === 'monitor') u.monitorMs = parseDuration(String(v), `${where}.monitor`);
    else if (k === 'failure_action') u.failureAction = v as UpdateConfig['failureAction'];
    else if (k === 'max_failure_ratio') u.maxFailureRatio = Number(v);
    else if (k === 'order') u.order = v as UpdateConfig['order'];
    else warn(`${where}.${k} is not supported; ignored`);
  }
  return u;
}

function healthcheck(value: unknown, where: string): HealthCheck | undefined {
  if (!isDoc(value)) throw fail(`${where}: expected a map`);
  if (value.disable === true) return { test: ['NONE'] };
  const test = typeof value.test === 'string' ? ['CMD-SHELL', value.test] : splitCommand(value.test, `${where}.test`);
  const h: HealthCheck = { test };
  if (value.interval !== undefined) h.intervalMs = parseDuration(String(value.interval), `${where}.interval`);
  if (value.timeout !== undefined) h.timeoutMs = parseDuration(String(value.timeout), `${where}.timeout`);
  if (value.start_period !== undefined) h.startPeriodMs = parseDuration(String(value.start_period), `${where}.start_period`);
  if (value.retries !== undefined) h.retries = Number(value.retries);
  return h;
}

function resources(value: unknown, where: string, warn: (m: string) => void): ServiceSpec['resources'] {
  if (!isDoc(value)) throw fail(`${where}: expected a map`);
  const out: NonNullable<ServiceSpec['resources']> = {};
  for (const kind of ['limits', 'reservations'] as const) {
    const r = value[kind];
    if (r === undefined) continue;
    if (!isDoc(r)) throw fail(`${where}.${kind}: expected a map`);
    out[kind] = {};
    for (const [k, v] of Object.entries(r)) {
      if (k === 'cpus') out[kind].cpus = Number(v);
      else if (k === 'memory') out[kind].memoryBytes = parseSize(v as string, `${where}.${kind}.memory`);
      else warn(`${where}.${kind}.${k} is not supported; ignored`);
    }
  }
  return out;
}

function deploy(spec: ServiceSpec, d: unknown, where: string, warn: (m: string) => void): void {
  if (!isDoc(d)) throw fail(`${where}: expected a map`);
  for (const k of Object.keys(d)) if (!DEPLOY_KEYS.has(k)) warn(`${where}.${k} is not supported; ignored`);
  if (d.mode !== undefined) spec.mode = d.mode as ServiceSpec['mode'];
  if (d.replicas !== undefined) spec.replicas = Number(d.replicas);
  if (d.resources !== undefined) spec.resources = resources(d.resources, `${where}.resources`, warn);
  if (d.update_config !== undefined) spec.update = updateConfig(d.update_config, `${where}.update_config`, warn);
  if (d.rollback_config !== undefined) spec.rollback = updateConfig(d.rollback_config, `${where}.rollback_config`, warn);
  if (d.labels !== undefined) spec.labels = { ...spec.labels, ...mapOrList(d.labels, `${where}.labels`) };
  if (isDoc(d.placement)) {
    const p = d.placement;
    spec.placement = {};
    if (Array.isArray(p.constraints)) spec.placement.constraints = p.constraints.map(String);
    if (Array.isArray(p.preferences)) spec.placement.preferences = p.preferences.map((x) => ({ spread: String((x as Doc).spread) }));
    if (p.max_replicas_per_node !== undefined) spec.placement.maxReplicasPerNode = Number(p.max_replicas_per_node);
  }
  if (isDoc(d.restart_policy)) {
    const r = d.restart_policy;
    spec.restart = {};
    if (r.condition !== undefined) spec.restart.condition = r.condition as 'none' | 'on-failure' | 'any';
    if (r.delay !== undefined) spec.restart.delayMs = parseDuration(String(r.delay), `${where}.restart_policy.delay`);
    if (r.max_attempts !== undefined) spec.restart.maxAttempts = Number(r.max_attempts);
    if (r.window !== undefined) spec.restart.windowMs = parseDuration(String(r.window), `${where}.restart_policy.window`);
  }
}

function mounts(value: unknown, where: string, warn: (m: string) => void): ServiceSpec['mounts'] {
  if (!Array.isArray(value)) throw fail(`${where}: expected a list`);
  const out: NonNullable<ServiceSpec['mounts']> = [];
  for (const v of value) {
    if (isDoc(v)) {
      out.push({ type: (v.type as 'bind' | 'volume' | 'tmpfs') ?? 'volume', ...(v.source ? { source: String(v.source) } : {}), target: String(v.target), ...(v.read_only ? { readOnly: true } : {}) });
      continue;
    }
    const [source, target, flags] = String(v).split(':');
    if (target === undefined) {
      warn(`${where}: anonymous volume "${String(v)}" is not supported; ignored`);
      continue;
    }
    const bind = source.startsWith('/') || source.startsWith('.');
    out.push({ type: bind ? 'bind' : 'volume', source, target, ...(flags === 'ro' ? { readOnly: true } : {}) });
  }
  return out;
}

function serviceSpec(stack: string, name: string, svc: unknown, warn: (m: string) => void): ServiceSpec {
  const where = `services.${name}`;
  if (!isDoc(svc)) throw fail(`${where}: expected a map`);
  for (const k of Object.keys(svc)) if (!SERVICE_KEYS.has(k)) warn(`${where}.${k} is not supported; ignored`);
  const spec: ServiceSpec = { name: `${stack}_${name}`.toLowerCase(), labels: { 'shoal.stack': stack } };
  if (svc.image !== undefined) spec.image = String(svc.image);
  if (svc.entrypoint !== undefined) spec.command = splitCommand(svc.entrypoint, `${where}.entrypoint`);
  if (svc.command !== undefined) spec.args = splitCommand(svc.command, `${where}.command`);
  if (svc.environment !== undefined) spec.env = mapOrList(svc.environment, `${where}.environment`);
  if (svc.labels !== undefined) spec.labels = { ...spec.labels, ...mapOrList(svc.labels, `${where}.labels`) };
  if (svc.working_dir !== undefined) spec.workdir = String(svc.working_dir);
  if (Array.isArray(svc.ports)) {
    const ports = svc.ports.map((p, i) => composePort(p, `${where}.ports[${i}]`, warn)).filter((p): p is PortSpec => p !== undefined);
    if (ports.length > 0) spec.ports = ports;
  }
  if (svc.deploy !== undefined) deploy(spec, svc.deploy, `${where}.deploy`, warn);
  if (svc.healthcheck !== undefined) spec.healthcheck = healthcheck(svc.healthcheck, `${where}.healthcheck`);
  if (svc.stop_grace_period !== undefined) spec.stopGracePeriodMs = parseDuration(String(svc.stop_grace_period), `${where}.stop_grace_period`);
  if (svc.stop_signal !== undefined) spec.stopSignal = String(svc.stop_signal);
  if (svc.volumes !== undefined) spec.mounts = mounts(svc.volumes, `${where}.volumes`, warn);
  if (svc.privileged !== undefined) spec.privileged = Boolean(svc.privileged);
  if (svc.network_mode !== undefined) spec.networkMode = String(svc.network_mode);
  if (svc.pid !== undefined) spec.pidMode = String(svc.pid);
  if (svc.cap_add !== undefined) spec.capAdd = (svc.cap_add as unknown[]).map(String);
  if (svc.devices !== undefined) spec.devices = (svc.devices as unknown[]).map(String);
  return spec;
}

export function composeToSpecs(yamlText: string, stack: string): ComposeImport {
  if (!/^[a-z0-9][a-z0-9_-]{0,30}$/.test(stack)) throw fail(`stack name "${stack}" must be lower-case letters, digits, - or _ (up to 31 characters)`);
  let doc: unknown;
  try {
    doc = parseYaml(yamlText);
  } catch (err) {
    throw fail(`compose file is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!isDoc(doc) || !isDoc(doc.services)) throw fail('compose file has no "services" map');
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);
  for (const k of Object.keys(doc)) if (k !== 'services' && k !== 'version' && k !== 'name') warn(`top-level "${k}" is not supported; ignored`);
  const specs = Object.entries(doc.services).map(([name, svc]) => serviceSpec(stack, name, svc, warn));
  return { specs, warnings };
}
