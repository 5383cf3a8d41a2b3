/**
 * Command wire format: JSON, size-bounded and checked field by field, since
 * a command may come from a peer. Malformed input is a ShoalError
 * BAD_MESSAGE (or MESSAGE_TOO_LARGE), never a crash.
 */
import { API_ROLES, ErrorCode, MAX_HOST_PATHS, NETWORK_NAME_PATTERN, ShoalError, TASK_STATES, parseCidr, specIssues } from '@shoal/types';
import { Checker } from './check.js';
import { COMMAND_TYPES, type Command } from './commands.js';
import { checkSecretCommand } from './codec-secret.js';

/** Largest encoded command accepted (a task.create of ~50k tasks). */
export const MAX_COMMAND_BYTES = 32 * 1024 * 1024;
/** Most entries in one batch command. */
export const MAX_BATCH = 100_000;

export function encodeCommand(cmd: Command): Uint8Array {
  const bytes = new TextEncoder().encode(JSON.stringify(cmd));
  if (bytes.length > MAX_COMMAND_BYTES) {
    throw new ShoalError(ErrorCode.MessageTooLarge, `command ${cmd.type} is ${bytes.length} bytes, over the ${MAX_COMMAND_BYTES}-byte limit; split it into smaller batches`);
  }
  return bytes;
}

const AVAILABILITY = ['active', 'pause', 'drain'] as const;
const ROLES = ['voter', 'learner'] as const;
const DRIVERS = ['docker', 'exec'] as const;
const DESIRED = ['running', 'shutdown', 'remove'] as const;
const UPDATE_STATES = ['updating', 'paused', 'completed', 'rollback_started', 'rollback_paused', 'rollback_completed'] as const;

function checkResources(c: Checker, v: unknown, path: string): boolean {
  return c.object(v, path) && c.number(v.cpuMillis, `${path}.cpuMillis`, 0) && c.number(v.memoryBytes, `${path}.memoryBytes`, 0);
}

function checkSpec(c: Checker, v: unknown, path: string): boolean {
  const key = JSON.stringify(v);
  if (c.validSpecs.has(key)) return true;
  const issues = specIssues(v);
  for (const i of issues.slice(0, 5)) c.fail(`${path}.${i.path}`, i.problem);
  if (issues.length === 0) c.validSpecs.add(key);
  return issues.length === 0;
}

function checkStatus(c: Checker, v: unknown, path: string): boolean {
  return (
    c.object(v, path) &&
    c.oneOf(v.state, TASK_STATES, `${path}.state`) &&
    c.number(v.timestamp, `${path}.timestamp`) &&
    c.string(v.message, `${path}.message`) &&
    c.optional(v.error, () => c.string(v.error, `${path}.error`)) &&
    c.optional(v.exitCode, () => c.number(v.exitCode, `${path}.exitCode`)) &&
    c.optional(v.containerId, () => c.string(v.containerId, `${path}.containerId`)) &&
    c.optional(v.health, () => c.oneOf(v.health, ['none', 'starting', 'healthy', 'unhealthy'] as const, `${path}.health`)) &&
    c.optional(v.addresses, () => c.stringMap(v.addresses, `${path}.addresses`, 64))
  );
}

function checkTask(c: Checker, v: unknown, path: string): boolean {
  return (
    c.object(v, path) &&
    c.id(v.id, `${path}.id`) &&
    c.id(v.serviceId, `${path}.serviceId`) &&
    c.string(v.serviceName, `${path}.serviceName`) &&
    c.number(v.serviceVersion, `${path}.serviceVersion`, 0, true) &&
    c.number(v.slot, `${path}.slot`, 0, true) &&
    c.optional(v.nodeId, () => c.id(v.nodeId, `${path}.nodeId`)) &&
    c.oneOf(v.desiredState, DESIRED, `${path}.desiredState`) &&
    checkStatus(c, v.status, `${path}.status`) &&
    checkSpec(c, v.spec, `${path}.spec`) &&
    c.number(v.createdAt, `${path}.createdAt`) &&
    c.number(v.updatedAt, `${path}.updatedAt`) &&
    c.optional(v.restartHistory, () => c.array(v.restartHistory, `${path}.restartHistory`, 1000) && v.restartHistory.every((x, i) => c.number(x, `${path}.restartHistory[${i}]`))) &&
    c.optional(v.restartStreak, () => c.number(v.restartStreak, `${path}.restartStreak`, 0, true)) &&
    c.optional(v.startedAt, () => c.number(v.startedAt, `${path}.startedAt`)) &&
    c.optional(v.jobIteration, () => c.number(v.jobIteration, `${path}.jobIteration`, 0, true)) &&
    c.optional(v.canary, () => c.boolean(v.canary, `${path}.canary`)) &&
    c.optional(v.replaces, () => c.id(v.replaces, `${path}.replaces`)) &&
    c.optional(v.moveReason, () => c.string(v.moveReason, `${path}.moveReason`))
  );
}

function checkList(c: Checker, v: unknown, path: string, each: (item: unknown, path: string) => boolean): boolean {
  return c.array(v, path, MAX_BATCH) && v.every((item, i) => each(item, `${path}[${i}]`));
}

function checkBody(c: Checker, m: Record<string, unknown>): boolean {
  switch (m.type as Command['type']) {
    case 'node.register': {
      const n = m.node;
      return (
        c.object(n, 'node') &&
        c.id(n.id, 'node.id') &&
        c.id(n.name, 'node.name') &&
        c.stringList(n.addresses, 'node.addresses', 64) &&
        c.stringMap(n.labels, 'node.labels') &&
        checkResources(c, n.resources, 'node.resources') &&
        c.array(n.drivers, 'node.drivers', 8) &&
        n.drivers.every((d, i) => c.oneOf(d, DRIVERS, `node.drivers[${i}]`)) &&
        c.object(n.platform, 'node.platform') &&
        c.string(n.platform.os, 'node.platform.os') &&
        c.string(n.platform.arch, 'node.platform.arch') &&
        c.string(n.version, 'node.version') &&
        c.optional(n.apiAddress, () => c.string(n.apiAddress, 'node.apiAddress')) &&
        c.optional(n.availability, () => c.oneOf(n.availability, AVAILABILITY, 'node.availability')) &&
        c.optional(n.role, () => c.oneOf(n.role, ROLES, 'node.role')) &&
        c.optional(n.sealKey, () => c.string(n.sealKey, 'node.sealKey', 128))
      );
    }
    case 'node.update':
      return (
        c.id(m.nodeId, 'nodeId') &&
        c.optional(m.labels, () => c.stringMap(m.labels, 'labels')) &&
        c.optional(m.resources, () => checkResources(c, m.resources, 'resources')) &&
        c.optional(m.addresses, () => c.stringList(m.addresses, 'addresses', 64)) &&
        c.optional(m.drivers, () => c.array(m.drivers, 'drivers', 8) && m.drivers.every((d, i) => c.oneOf(d, DRIVERS, `drivers[${i}]`))) &&
        c.optional(m.apiAddress, () => c.string(m.apiAddress, 'apiAddress')) &&
        c.optional(m.version, () => c.string(m.version, 'version')) &&
        c.optional(m.sealKey, () => c.string(m.sealKey, 'sealKey', 128)) &&
        c.optional(m.hostPaths, () => c.stringList(m.hostPaths, 'hostPaths', MAX_HOST_PATHS))
      );
    case 'node.availability':
      return c.id(m.nodeId, 'nodeId') && c.oneOf(m.availability, AVAILABILITY, 'availability') && c.optional(m.deadlineMs, () => c.number(m.deadlineMs, 'deadlineMs', 0, true));
    case 'node.labels':
      return c.id(m.nodeId, 'nodeId') && c.stringMap(m.set, 'set') && c.stringList(m.remove, 'remove', 1024);
    case 'node.remove':
    case 'node.up':
      return c.id(m.nodeId, 'nodeId');
    case 'node.down':
      return c.id(m.nodeId, 'nodeId') && c.optional(m.message, () => c.string(m.message, 'message'));
    case 'node.role':
      return c.id(m.nodeId, 'nodeId') && c.oneOf(m.role, ROLES, 'role');
    case 'node.pressure': {
      const p = m.pressure;
      return (
        c.id(m.nodeId, 'nodeId') &&
        (p === null || (c.object(p, 'pressure') && c.oneOf(p.level, ['memory', 'cpu'] as const, 'pressure.level') && c.number(p.since, 'pressure.since') && c.string(p.detail, 'pressure.detail')))
      );
    }
    case 'service.create':
      return c.id(m.serviceId, 'serviceId') && checkSpec(c, m.spec, 'spec');
    case 'service.update':
      return c.id(m.serviceId, 'serviceId') && checkSpec(c, m.spec, 'spec') && c.optional(m.expectVersion, () => c.number(m.expectVersion, 'expectVersion', 0, true));
    case 'service.scale':
      return c.id(m.serviceId, 'serviceId') && c.number(m.replicas, 'replicas', 0, true);
    case 'service.rollback':
      return (
        c.id(m.serviceId, 'serviceId') &&
        c.optional(m.reason, () => c.string(m.reason, 'reason')) &&
        c.optional(m.expectVersion, () => c.number(m.expectVersion, 'expectVersion', 0, true)) &&
        c.optional(m.toVersion, () => c.number(m.toVersion, 'toVersion', 1, true))
      );
    case 'service.remove':
      return c.id(m.serviceId, 'serviceId');
    case 'service.promote':
      return c.id(m.serviceId, 'serviceId') && c.optional(m.expectVersion, () => c.number(m.expectVersion, 'expectVersion', 0, true));
    case 'service.jobRun':
      return c.id(m.serviceId, 'serviceId') && c.number(m.iteration, 'iteration', 1, true);
    case 'service.updateStatus': {
      const s = m.status;
      return (
        c.id(m.serviceId, 'serviceId') &&
        c.object(s, 'status') &&
        c.oneOf(s.state, UPDATE_STATES, 'status.state') &&
        c.optional(s.canary, () => c.oneOf(s.canary, ['waiting', 'promoted'] as const, 'status.canary')) &&
        c.string(s.message, 'status.message') &&
        c.number(s.startedAt, 'status.startedAt') &&
        c.optional(s.completedAt, () => c.number(s.completedAt, 'status.completedAt')) &&
        c.optional(m.expectVersion, () => c.number(m.expectVersion, 'expectVersion', 0, true))
      );
    }
    case 'service.rebalance':
      return c.id(m.serviceId, 'serviceId') && c.boolean(m.requested, 'requested');
    case 'task.create':
      return checkList(c, m.tasks, 'tasks', (t, p) => checkTask(c, t, p));
    case 'task.assign':
      return (
        checkList(c, m.assignments, 'assignments', (a, p) => c.object(a, p) && c.id(a.taskId, `${p}.taskId`) && c.id(a.nodeId, `${p}.nodeId`)) &&
        c.optional(m.pending, () => checkList(c, m.pending, 'pending', (a, p) => c.object(a, p) && c.id(a.taskId, `${p}.taskId`) && c.string(a.reason, `${p}.reason`)))
      );
    case 'task.status':
      return checkList(
        c,
        m.updates,
        'updates',
        (u, p) => c.object(u, p) && c.id(u.taskId, `${p}.taskId`) && checkStatus(c, u.status, `${p}.status`) && c.optional(u.nodeId, () => c.id(u.nodeId, `${p}.nodeId`)),
      );
    case 'task.desired':
      return checkList(
        c,
        m.changes,
        'changes',
        (u, p) =>
          c.object(u, p) &&
          c.id(u.taskId, `${p}.taskId`) &&
          c.oneOf(u.desiredState, DESIRED, `${p}.desiredState`) &&
          c.optional(u.state, () => c.oneOf(u.state, TASK_STATES, `${p}.state`)) &&
          c.optional(u.message, () => c.string(u.message, `${p}.message`)),
      );
    case 'task.remove':
      return checkList(c, m.taskIds, 'taskIds', (id, p) => c.id(id, p));
    case 'task.restart':
      return c.id(m.taskId, 'taskId') && c.id(m.newTaskId, 'newTaskId') && c.optional(m.message, () => c.string(m.message, 'message'));
    case 'cluster.config': {
      const k = m.config;
      return (
        c.object(k, 'config') &&
        c.optional(k.clusterId, () => c.string(k.clusterId, 'config.clusterId', 256)) &&
        c.optional(k.allowDangerous, () => c.boolean(k.allowDangerous, 'config.allowDangerous')) &&
        c.optional(k.voters, () => c.number(k.voters, 'config.voters', 1, true)) &&
        c.optional(k.voterGraceMs, () => c.number(k.voterGraceMs, 'config.voterGraceMs', 0)) &&
        c.optional(k.taskHistory, () => c.number(k.taskHistory, 'config.taskHistory', 0, true)) &&
        c.optional(k.maxReplicasPerService, () => c.number(k.maxReplicasPerService, 'config.maxReplicasPerService', 1, true)) &&
        c.optional(k.maxTasksPerCluster, () => c.number(k.maxTasksPerCluster, 'config.maxTasksPerCluster', 1, true)) &&
        c.optional(k.network, () => checkRanges(c, k.network))
      );
    }
    case 'token.set':
      return c.string(m.hash, 'hash', 1024) && c.optional(m.sealed, () => c.string(m.sealed, 'sealed', 1024));
    case 'allowlist.add':
    case 'allowlist.remove':
      return checkList(c, m.peerIds, 'peerIds', (id, p) => c.id(id, p));
    case 'apitoken.create':
      return (
        c.id(m.tokenId, 'tokenId') &&
        c.string(m.name, 'name', 63) &&
        (/^[a-z0-9][a-z0-9_.-]{0,62}$/.test(m.name) || c.fail('name', 'use lower-case letters, digits, - _ .')) &&
        c.oneOf(m.role, API_ROLES, 'role') &&
        c.string(m.hash, 'hash', 128) &&
        (/^[0-9a-f]{64}$/.test(m.hash) || c.fail('hash', 'not a sha256 hex digest'))
      );
    case 'apitoken.revoke':
      return c.string(m.tokenId, 'tokenId', 128);
    case 'nodetoken.set':
      return c.id(m.nodeId, 'nodeId') && c.string(m.hash, 'hash', 128) && (/^[0-9a-f]{64}$/.test(m.hash) || c.fail('hash', 'not a sha256 hex digest'));
    case 'network.create':
      return (
        c.id(m.networkId, 'networkId') &&
        c.string(m.name, 'name', 63) &&
        (new RegExp(NETWORK_NAME_PATTERN).test(m.name) || c.fail('name', 'not a valid network name')) &&
        c.boolean(m.explicit, 'explicit') &&
        c.optional(m.labels, () => c.stringMap(m.labels, 'labels')) &&
        c.stringMap(m.subnets, 'subnets', 100_000)
      );
    case 'network.subnets':
      return c.id(m.networkId, 'networkId') && nullableMap(c, m.subnets, 'subnets');
    case 'network.remove':
      return c.id(m.networkId, 'networkId');
    case 'node.overlay':
      return nullableMap(c, m.overlays, 'overlays');
    case 'service.vip':
      return nullableMap(c, m.vips, 'vips');
    default:
      return checkSecretCommand(c, m);
  }
}

function checkRanges(c: Checker, v: unknown): boolean {
  if (!c.object(v, 'config.network')) return false;
  for (const k of ['vipRange', 'subnetPool'] as const) {
    if (!c.string(v[k], `config.network.${k}`, 32)) return false;
    try {
      parseCidr(v[k]);
    } catch (err) {
      return c.fail(`config.network.${k}`, (err as Error).message);
    }
  }
  return c.number(v.subnetPrefix, 'config.network.subnetPrefix', 8, true) && (v.subnetPrefix <= 30 || c.fail('config.network.subnetPrefix', 'above 30'));
}

function nullableMap(c: Checker, v: unknown, path: string): boolean {
  if (!c.object(v, path)) return false;
  const entries = Object.entries(v);
  if (entries.length > 100_000) return c.fail(path, 'more than 100000 entries');
  return entries.every(([k, x]) => x === null || c.string(x, `${path}.${k}`, 64));
}

/** Parses and checks a command from the log or a peer. Throws ShoalError BAD_MESSAGE / MESSAGE_TOO_LARGE. */
export function decodeCommand(bytes: Uint8Array): Command {
  if (bytes.length > MAX_COMMAND_BYTES) throw new ShoalError(ErrorCode.MessageTooLarge, `command is ${bytes.length} bytes, over the ${MAX_COMMAND_BYTES}-byte limit`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new ShoalError(ErrorCode.BadMessage, 'command is not valid UTF-8 JSON');
  }
  const c = new Checker();
  const valid =
    c.object(raw, '(command)') &&
    c.oneOf(raw.type, COMMAND_TYPES, 'type') &&
    c.number(raw.at, 'at', 0) &&
    c.optional(raw.by, () => c.string(raw.by, 'by', 128)) &&
    checkBody(c, raw);
  if (!valid) throw new ShoalError(ErrorCode.BadMessage, `malformed command: ${c.problems.join('; ')}`, { problems: c.problems });
  return raw as Command;
}
