/**
 * `service create|update` flags -> ServiceSpec. Create starts from `{name}`;
 * update starts from the current spec: scalar flags replace, repeated map
 * flags (-e, --label) merge, repeated list flags (-p, --constraint,
 * --placement-pref) replace the whole list when given.
 */
import { ErrorCode, ShoalError, type PortSpec, type ServiceSpec } from '@shoal/types';
import { parseDuration, parseSize } from './units.js';
import { applyFileFlags, type FileFlags } from './file-flags.js';

export interface ServiceFlags extends FileFlags {
  image?: string;
  replicas?: string;
  mode?: string;
  driver?: string;
  publish?: string[];
  network?: string[];
  endpointMode?: string;
  rebalance?: string;
  priority?: string;
  env?: string[];
  label?: string[];
  constraint?: string[];
  placementPref?: string[];
  reserveCpu?: string;
  reserveMemory?: string;
  limitCpu?: string;
  limitMemory?: string;
  updateParallelism?: string;
  updateDelay?: string;
  updateFailureAction?: string;
  updateMonitor?: string;
  updateOrder?: string;
  canary?: string;
  autoPromote?: boolean;
  restartCondition?: string;
  restartMaxAttempts?: string;
  restartDelay?: string;
  restartMaxDelay?: string;
  healthCmd?: string;
  healthInterval?: string;
  healthTimeout?: string;
  healthRetries?: string;
  stopGracePeriod?: string;
  entrypoint?: string;
  workdir?: string;
  historyLimit?: string;
}

function bad(message: string): ShoalError {
  return new ShoalError(ErrorCode.InvalidSpec, message);
}

export function parseInteger(text: string, flag: string, min = 0): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < min) throw bad(`${flag}: "${text}" is not a whole number${min > 0 ? ` >= ${min}` : ''}`);
  return Number(text);
}

function parseCpus(text: string, flag: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw bad(`${flag}: "${text}" is not a number of CPUs; use e.g. 0.5 or 2`);
  return n;
}

function oneOf<T extends string>(text: string, flag: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) throw bad(`${flag}: "${text}" must be one of ${allowed.join(', ')}`);
  return text as T;
}

/** "8080:80", "8080:80/udp", "8080:80,mode=host" -> PortSpec (ingress mode unless mode=host). */
export function parsePort(text: string): PortSpec {
  const [main, ...opts] = text.trim().split(',');
  let mode: PortSpec['mode'];
  for (const o of opts) {
    const mm = /^mode=(ingress|host)$/.exec(o.trim());
    if (!mm) throw bad(`--publish: "${o}" in "${text}" is not mode=ingress or mode=host`);
    mode = mm[1] as PortSpec['mode'];
  }
  const m = /^(\d+):(\d+)(?:\/(tcp|udp))?$/.exec(main ?? '');
  const port = (s: string) => {
    const n = Number(s);
    if (n < 1 || n > 65535) throw bad(`--publish ${text}: ports are 1-65535`);
    return n;
  };
  if (!m) throw bad(`--publish: "${text}" must be PUBLISHED:TARGET[/udp][,mode=host], e.g. 8080:80`);
  return { published: port(m[1]), target: port(m[2]), ...(m[3] === 'udp' ? { protocol: 'udp' as const } : {}), ...(mode ? { mode } : {}) };
}

/** "back" or "back:db,cache" (name and aliases) -> a network attachment. */
export function parseNetwork(text: string): { name: string; aliases?: string[] } {
  const [name, aliases] = text.trim().split(':', 2);
  if (!name) throw bad(`--network: "${text}" must be NAME[:ALIAS,...]`);
  const list = (aliases ?? '').split(',').map((a) => a.trim()).filter(Boolean);
  return { name, ...(list.length ? { aliases: list } : {}) };
}

/** ["K=V", ...] -> {K: V}; "K" alone takes the value from this process's environment (as docker -e). */
export function parseKeyValues(items: string[], flag: string, env: Record<string, string | undefined> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    if (key === '') throw bad(`${flag}: "${item}" must be KEY=VALUE`);
    const value = eq < 0 ? env[key] : item.slice(eq + 1);
    if (value === undefined) throw bad(`${flag}: "${item}" has no value and ${key} is not set here; use ${key}=VALUE`);
    out[key] = value;
  }
  return out;
}

/** "spread=node.labels.zone" -> {spread: "node.labels.zone"}. */
function parsePreference(text: string): { spread: string } {
  const m = /^spread=(.+)$/.exec(text.trim());
  if (!m) throw bad(`--placement-pref: "${text}" must be spread=node.labels.KEY`);
  return { spread: m[1] };
}

export function applyServiceFlags(base: ServiceSpec, f: ServiceFlags, commandArgs: string[] = [], env: Record<string, string | undefined> = {}): ServiceSpec {
  const spec: ServiceSpec = structuredClone(base);
  if (f.image !== undefined) spec.image = f.image;
  if (f.driver !== undefined) spec.driver = oneOf(f.driver, '--driver', ['docker', 'exec'] as const);
  if (f.mode !== undefined) spec.mode = oneOf(f.mode, '--mode', ['replicated', 'global'] as const);
  if (f.replicas !== undefined) {
    if (spec.mode === 'global') throw bad('--replicas cannot be used with --mode global (a global service runs one task per node)');
    spec.replicas = parseInteger(f.replicas, '--replicas');
  }
  if (spec.mode === 'global') delete spec.replicas;
  if (f.workdir !== undefined) spec.workdir = f.workdir;
  if (f.entrypoint !== undefined) spec.command = [f.entrypoint];
  if (commandArgs.length > 0) {
    // exec runs program+args; docker keeps the image entrypoint and overrides its CMD (docker service create IMAGE CMD...).
    if ((spec.driver ?? 'docker') === 'exec') spec.command = [...commandArgs];
    else spec.args = [...commandArgs];
  }
  if (f.publish?.length) spec.ports = f.publish.map(parsePort);
  if (f.network?.length) spec.networks = f.network.map(parseNetwork);
  if (f.endpointMode !== undefined) {
    if (f.endpointMode !== 'vip' && f.endpointMode !== 'dnsrr') throw bad(`--endpoint-mode: "${f.endpointMode}" is not vip or dnsrr`);
    spec.endpointMode = f.endpointMode;
  }
  if (f.priority !== undefined) spec.priority = parseInteger(f.priority, '--priority');
  if (f.rebalance !== undefined) spec.rebalance = oneOf(f.rebalance, '--rebalance', ['manual', 'auto'] as const);
  if (f.env?.length) spec.env = { ...spec.env, ...parseKeyValues(f.env, '--env', env) };
  if (f.label?.length) spec.labels = { ...spec.labels, ...parseKeyValues(f.label, '--label') };
  if (f.constraint?.length || f.placementPref?.length) {
    spec.placement = { ...spec.placement };
    if (f.constraint?.length) spec.placement.constraints = [...f.constraint];
    if (f.placementPref?.length) spec.placement.preferences = f.placementPref.map(parsePreference);
  }
  applyResources(spec, f);
  applyUpdateConfig(spec, f);
  applyRestart(spec, f);
  applyHealth(spec, f);
  if (f.stopGracePeriod !== undefined) spec.stopGracePeriodMs = parseDuration(f.stopGracePeriod, '--stop-grace-period');
  if (f.historyLimit !== undefined) spec.historyLimit = parseInteger(f.historyLimit, '--history-limit', 1);
  applyFileFlags(spec, f);
  return spec;
}

function applyResources(spec: ServiceSpec, f: ServiceFlags): void {
  const res = structuredClone(spec.resources ?? {});
  if (f.reserveCpu !== undefined) res.reservations = { ...res.reservations, cpus: parseCpus(f.reserveCpu, '--reserve-cpu') };
  if (f.reserveMemory !== undefined) res.reservations = { ...res.reservations, memoryBytes: parseSize(f.reserveMemory, '--reserve-memory') };
  if (f.limitCpu !== undefined) res.limits = { ...res.limits, cpus: parseCpus(f.limitCpu, '--limit-cpu') };
  if (f.limitMemory !== undefined) res.limits = { ...res.limits, memoryBytes: parseSize(f.limitMemory, '--limit-memory') };
  if (res.reservations || res.limits) spec.resources = res;
}

function applyUpdateConfig(spec: ServiceSpec, f: ServiceFlags): void {
  const u = { ...spec.update };
  if (f.updateParallelism !== undefined) u.parallelism = parseInteger(f.updateParallelism, '--update-parallelism');
  if (f.updateDelay !== undefined) u.delayMs = parseDuration(f.updateDelay, '--update-delay');
  if (f.updateFailureAction !== undefined) u.failureAction = oneOf(f.updateFailureAction, '--update-failure-action', ['pause', 'rollback', 'continue'] as const);
  if (f.updateMonitor !== undefined) u.monitorMs = parseDuration(f.updateMonitor, '--update-monitor');
  if (f.updateOrder !== undefined) u.order = oneOf(f.updateOrder, '--update-order', ['stop-first', 'start-first'] as const);
  if (f.canary !== undefined) u.canary = parseInteger(f.canary, '--canary');
  if (f.autoPromote !== undefined) u.autoPromote = f.autoPromote;
  if (Object.keys(u).length > 0) spec.update = u;
}

function applyRestart(spec: ServiceSpec, f: ServiceFlags): void {
  const r = { ...spec.restart };
  if (f.restartCondition !== undefined) r.condition = oneOf(f.restartCondition, '--restart-condition', ['none', 'on-failure', 'any'] as const);
  if (f.restartMaxAttempts !== undefined) r.maxAttempts = parseInteger(f.restartMaxAttempts, '--restart-max-attempts');
  if (f.restartDelay !== undefined) r.delayMs = parseDuration(f.restartDelay, '--restart-delay');
  if (f.restartMaxDelay !== undefined) r.maxDelayMs = parseDuration(f.restartMaxDelay, '--restart-max-delay');
  if (Object.keys(r).length > 0) spec.restart = r;
}

function applyHealth(spec: ServiceSpec, f: ServiceFlags): void {
  const touched = f.healthCmd !== undefined || f.healthInterval !== undefined || f.healthTimeout !== undefined || f.healthRetries !== undefined;
  if (!touched) return;
  const test = f.healthCmd !== undefined ? ['CMD-SHELL', f.healthCmd] : spec.healthcheck?.test;
  if (!test) throw bad('--health-interval/--health-timeout/--health-retries need --health-cmd');
  spec.healthcheck = { ...spec.healthcheck, test };
  if (f.healthInterval !== undefined) spec.healthcheck.intervalMs = parseDuration(f.healthInterval, '--health-interval');
  if (f.healthTimeout !== undefined) spec.healthcheck.timeoutMs = parseDuration(f.healthTimeout, '--health-timeout');
  if (f.healthRetries !== undefined) spec.healthcheck.retries = parseInteger(f.healthRetries, '--health-retries', 1);
}
