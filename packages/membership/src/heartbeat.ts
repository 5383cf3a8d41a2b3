/**
 * The heartbeat every node publishes (gossipsub, every ~500 ms): who it is,
 * which life it is in (incarnation), a per-life sequence number, and a
 * summary the scheduler and the operator can use. Encoded as bounded JSON:
 * heartbeats arrive from the network, so decoding validates every field and
 * turns anything unexpected into ShoalError BAD_MESSAGE.
 */
import { ErrorCode, ShoalError, type DriverName, type Resources } from '@shoal/types';
import type { PressureSample } from './pressure.js';

export interface TaskSummary {
  running: number;
  failed: number;
  total: number;
}

export interface Heartbeat {
  nodeId: string;
  /** Grows every time the node restarts or refutes being declared down. */
  incarnation: number;
  /** Grows with every heartbeat within one incarnation. */
  seq: number;
  /** Sender's clock (ms since epoch); informative only, never trusted for liveness. */
  sentAt: number;
  resources: { total: Resources; free: Resources };
  drivers: DriverName[];
  tasks: TaskSummary;
  version: string;
  /** Host pressure (PSI and available memory), when the node can read it. */
  pressure?: PressureSample;
}

/** Upper bound of an encoded heartbeat; anything larger is refused. */
export const MAX_HEARTBEAT_BYTES = 2048;
const MAX_ID_CHARS = 128;
const MAX_VERSION_CHARS = 64;
const DRIVERS: readonly DriverName[] = ['docker', 'exec'];

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeHeartbeat(hb: Heartbeat): Uint8Array {
  const checked = validateHeartbeat(hb);
  const bytes = encoder.encode(JSON.stringify(checked));
  if (bytes.length > MAX_HEARTBEAT_BYTES) throw bad(`heartbeat is ${bytes.length} bytes, more than ${MAX_HEARTBEAT_BYTES}`);
  return bytes;
}

export function decodeHeartbeat(bytes: Uint8Array): Heartbeat {
  if (!(bytes instanceof Uint8Array)) throw bad('heartbeat is not bytes');
  if (bytes.length > MAX_HEARTBEAT_BYTES) {
    throw new ShoalError(ErrorCode.MessageTooLarge, `heartbeat of ${bytes.length} bytes exceeds ${MAX_HEARTBEAT_BYTES}; dropped`);
  }
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    throw bad('heartbeat is not valid UTF-8 JSON');
  }
  return validateHeartbeat(value);
}

/** Returns a clean copy holding only known fields, or throws BAD_MESSAGE. */
export function validateHeartbeat(value: unknown): Heartbeat {
  const o = record(value, 'heartbeat');
  const resources = record(o.resources, 'resources');
  const tasks = record(o.tasks, 'tasks');
  if (!Array.isArray(o.drivers) || o.drivers.length > DRIVERS.length) throw bad('drivers must be a short list');
  const drivers = o.drivers.map((d) => {
    if (!DRIVERS.includes(d as DriverName)) throw bad(`unknown driver ${JSON.stringify(d).slice(0, 20)}`);
    return d as DriverName;
  });
  return {
    nodeId: text(o.nodeId, 'nodeId', MAX_ID_CHARS),
    incarnation: count(o.incarnation, 'incarnation'),
    seq: count(o.seq, 'seq'),
    sentAt: count(o.sentAt, 'sentAt'),
    resources: { total: amounts(resources.total, 'resources.total'), free: amounts(resources.free, 'resources.free') },
    drivers,
    tasks: { running: count(tasks.running, 'tasks.running'), failed: count(tasks.failed, 'tasks.failed'), total: count(tasks.total, 'tasks.total') },
    version: text(o.version, 'version', MAX_VERSION_CHARS, 0),
    ...(o.pressure === undefined ? {} : { pressure: pressureSample(o.pressure) }),
  };
}

function percent(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) throw bad(`${field} must be a percentage`);
  return value;
}

function pressureSample(value: unknown): PressureSample {
  const o = record(value, 'pressure');
  return {
    memorySome10: percent(o.memorySome10, 'pressure.memorySome10'),
    cpuSome10: percent(o.cpuSome10, 'pressure.cpuSome10'),
    memoryAvailablePercent: percent(o.memoryAvailablePercent, 'pressure.memoryAvailablePercent'),
    ...(o.cpuBusyPercent === undefined ? {} : { cpuBusyPercent: percent(o.cpuBusyPercent, 'pressure.cpuBusyPercent') }),
  };
}

function amounts(value: unknown, field: string): Resources {
  const o = record(value, field);
  return { cpuMillis: count(o.cpuMillis, `${field}.cpuMillis`), memoryBytes: count(o.memoryBytes, `${field}.memoryBytes`) };
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(`${field} must be an object`);
  return value as Record<string, unknown>;
}

function count(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw bad(`${field} must be a non-negative integer`);
  return value;
}

function text(value: unknown, field: string, max: number, min = 1): string {
  if (typeof value !== 'string' || value.length < min || value.length > max) throw bad(`${field} must be a string of ${min}-${max} characters`);
  return value;
}

function bad(message: string): ShoalError {
  return new ShoalError(ErrorCode.BadMessage, `malformed heartbeat: ${message}`);
}

/** Orders two heartbeats of one node: positive when `a` is newer than `b`. */
export function compareHeartbeatOrder(a: { incarnation: number; seq: number }, b: { incarnation: number; seq: number }): number {
  return a.incarnation !== b.incarnation ? a.incarnation - b.incarnation : a.seq - b.seq;
}
