/**
 * Daemon configuration: defaults < config file (YAML or JSON) < SHOAL_* env
 * < flags. Every problem is reported as a ShoalError BAD_CONFIG that names
 * the setting and says how to fix it.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parse as parseYaml } from 'yaml';
import { ShoalError, ErrorCode, parseCidr, type DriverName } from '@shoal/types';

export interface DaemonConfig {
  dataDir: string;
  /** host:port for libp2p TCP. */
  p2pListen: string;
  /** host:port of the admin API; loopback by default. */
  apiListen: string;
  /** Serve the API over TLS with a certificate from the cluster CA even on loopback (off loopback it always does, unless insecureApi). */
  apiTls: boolean;
  /** Serve plain HTTP off loopback (the bearer token crosses the network in clear). */
  insecureApi: boolean;
  /** Address peers should dial (host:port) when p2pListen binds 0.0.0.0. */
  advertise?: string;
  name: string;
  labels: Record<string, string>;
  /** undefined = docker when an engine answers, else exec. */
  drivers?: DriverName[];
  init: boolean;
  join?: { addr: string; token: string };
  /** Voters the autopilot keeps (init only). */
  voters: number;
  /** How long a voter may be down before the autopilot replaces it (init only). */
  voterGraceMs: number;
  allowDangerous: boolean;
  logLevel: string;
  /** Raft tick in ms; the leader heartbeats every tick. */
  tickMs: number;
  /** Ticks without a leader before a follower campaigns, randomized in [n, 2n). */
  electionTicks: number;
  heartbeatMs: number;
  /** Applied Raft entries between two snapshots: the log on disk never holds many more (older entries are deleted). */
  snapshotEvery: number;
  /** Service networking (VIPs, DNS, routing mesh; needs nftables and iproute2): on, or off. */
  network: 'on' | 'off';
  /** Address ranges of service networking (init only; defaults in @shoal/types DEFAULT_NETWORK_RANGES). */
  vipRange?: string;
  subnetPool?: string;
}

export type ConfigInput = Partial<Omit<DaemonConfig, 'labels'>> & { labels?: Record<string, string> | string[]; driver?: string; config?: string };

const DEFAULTS: DaemonConfig = {
  dataDir: './shoal-data',
  p2pListen: '127.0.0.1:7946',
  apiListen: '127.0.0.1:7070',
  apiTls: false,
  insecureApi: false,
  name: hostname(),
  labels: {},
  init: false,
  voters: 3,
  voterGraceMs: 10_000,
  allowDangerous: false,
  logLevel: 'info',
  tickMs: 50,
  // 400-800 ms: a dead leader is replaced well within a second, while 8 missed heartbeats tolerate GC pauses.
  electionTicks: 8,
  heartbeatMs: 500,
  snapshotEvery: 10_000,
  network: 'on',
};

function bad(setting: string, message: string): ShoalError {
  return new ShoalError(ErrorCode.BadConfig, `invalid ${setting}: ${message}`, { setting });
}

export function parseHostPort(setting: string, value: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw bad(setting, `"${value}" is not HOST:PORT (e.g. 127.0.0.1:7946)`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

/** 127.0.0.0/8, ::1 and localhost: the API there needs no TLS (only local users reach it). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Does this node serve its API over TLS? Off loopback always, unless --insecure-api. */
export function apiUsesTls(cfg: Pick<DaemonConfig, 'apiListen' | 'apiTls' | 'insecureApi'>): boolean {
  if (cfg.apiTls) return true;
  if (cfg.insecureApi) return false;
  return !isLoopbackHost(parseHostPort('api-listen', cfg.apiListen).host);
}

export function parseLabels(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const i = item.indexOf('=');
    if (i <= 0) throw bad('label', `"${item}" is not key=value`);
    out[item.slice(0, i)] = item.slice(i + 1);
  }
  return out;
}

function fromEnv(env: NodeJS.ProcessEnv): ConfigInput {
  const out: ConfigInput = {};
  if (env.SHOAL_DATA_DIR) out.dataDir = env.SHOAL_DATA_DIR;
  if (env.SHOAL_P2P_LISTEN) out.p2pListen = env.SHOAL_P2P_LISTEN;
  if (env.SHOAL_API_LISTEN) out.apiListen = env.SHOAL_API_LISTEN;
  if (env.SHOAL_ADVERTISE) out.advertise = env.SHOAL_ADVERTISE;
  if (env.SHOAL_NAME) out.name = env.SHOAL_NAME;
  if (env.SHOAL_LABELS) out.labels = env.SHOAL_LABELS.split(',').filter(Boolean);
  if (env.SHOAL_DRIVER) out.driver = env.SHOAL_DRIVER;
  if (env.SHOAL_LOG_LEVEL) out.logLevel = env.SHOAL_LOG_LEVEL;
  if (env.SHOAL_CONFIG) out.config = env.SHOAL_CONFIG;
  if (env.SHOAL_NETWORK) out.network = env.SHOAL_NETWORK as DaemonConfig['network'];
  if (env.SHOAL_API_TLS === '1') out.apiTls = true;
  if (env.SHOAL_INSECURE_API === '1') out.insecureApi = true;
  return out;
}

function fromFile(path: string): ConfigInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw bad('config', `cannot read ${path}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw bad('config', `${path} is not valid YAML/JSON: ${(err as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw bad('config', `${path} must hold a mapping of settings`);
  return doc as ConfigInput;
}

const KNOWN = new Set([...Object.keys(DEFAULTS), 'advertise', 'drivers', 'driver', 'join', 'config', 'vipRange', 'subnetPool']);

export function resolveConfig(flags: ConfigInput, env: NodeJS.ProcessEnv = process.env): DaemonConfig {
  const envIn = fromEnv(env);
  const file = flags.config ?? envIn.config;
  const fileIn = file ? fromFile(file) : {};
  for (const key of Object.keys(fileIn)) if (!KNOWN.has(key)) throw bad(key, `unknown setting in ${file}`);
  const merged: ConfigInput = { ...fileIn, ...envIn, ...stripUndefined(flags) };
  const cfg: DaemonConfig = { ...DEFAULTS, ...(merged as Partial<DaemonConfig>), labels: {} };
  const labels = merged.labels;
  cfg.labels = Array.isArray(labels) ? parseLabels(labels) : { ...(labels ?? {}) };
  if (merged.driver !== undefined) {
    if (merged.driver !== 'docker' && merged.driver !== 'exec') throw bad('driver', `"${merged.driver}" is not docker or exec`);
    cfg.drivers = [merged.driver];
  }
  parseHostPort('p2p-listen', cfg.p2pListen);
  parseHostPort('api-listen', cfg.apiListen);
  if (cfg.advertise) parseHostPort('advertise', cfg.advertise);
  for (const k of ['vipRange', 'subnetPool'] as const) {
    const v = cfg[k];
    if (v === undefined) continue;
    try {
      parseCidr(v);
    } catch (err) {
      throw bad(k === 'vipRange' ? 'vip-range' : 'subnet-pool', (err as Error).message);
    }
  }
  if (cfg.network !== 'on' && cfg.network !== 'off') throw bad('network', `"${String(cfg.network)}" is not on or off`);
  if (cfg.apiTls && cfg.insecureApi) throw bad('insecure-api', 'use either --api-tls or --insecure-api, not both');
  if (cfg.voters !== 1 && cfg.voters !== 3 && cfg.voters !== 5) throw bad('voters', `${cfg.voters}: use 1, 3 or 5`);
  if (cfg.init && cfg.join) throw bad('init', 'use either --init or --join, not both');
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(cfg.name)) throw bad('name', `"${cfg.name}": letters, digits, - _ . up to 63`);
  if (!Number.isInteger(cfg.tickMs) || cfg.tickMs < 5 || cfg.tickMs > 1000) throw bad('tick-ms', 'an integer in 5..1000');
  if (!Number.isInteger(cfg.electionTicks) || cfg.electionTicks < 3 || cfg.electionTicks > 100) throw bad('election-ticks', 'an integer in 3..100');
  if (!Number.isInteger(cfg.snapshotEvery) || cfg.snapshotEvery < 100 || cfg.snapshotEvery > 1_000_000) throw bad('snapshot-every', 'an integer in 100..1000000');
  return cfg;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
