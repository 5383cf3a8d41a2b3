/**
 * Maps a task to Docker's container create body: a pure function, so the
 * mapping can be read and tested in one place.
 */
import type { HealthCheck, Task } from '@shoal/types';
import type { ContainerCreateOptions } from 'dockerode';
import { taskEnv } from './task-env.js';

export const LABEL_TASK = 'shoal.task';
export const LABEL_SERVICE = 'shoal.service';
export const LABEL_NODE = 'shoal.node';
export const LABEL_SLOT = 'shoal.slot';

const NS_PER_MS = 1_000_000;

export function containerName(task: Task): string {
  return `shoal-${task.serviceName}-${task.slot}-${task.id.slice(0, 8)}`;
}

/** Where a task's container joins shoal's networks (see @shoal/types network.ts); null = no service networking. */
export interface ContainerAttachment {
  networks: { docker: string; network: string; aliases: string[] }[];
  dns: string[];
}

export function containerSpec(task: Task, nodeId: string, attachment: ContainerAttachment | null = null): ContainerCreateOptions {
  const spec = task.spec;
  const env = Object.entries(taskEnv(task, nodeId)).map(([k, v]) => `${k}=${v}`);
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostPort: string }[]> = {};
  for (const p of spec.ports ?? []) {
    const key = `${p.target}/${p.protocol ?? 'tcp'}`;
    exposed[key] = {};
    // With service networking, ingress ports are the routing mesh's (nftables on every node), not Docker's.
    if (attachment && (p.mode ?? 'ingress') === 'ingress') continue;
    bindings[key] = [...(bindings[key] ?? []), { HostPort: String(p.published) }];
  }
  const primary = attachment?.networks[0];
  const limits = spec.resources?.limits;
  return {
    name: containerName(task),
    Image: spec.image,
    ...(spec.command ? { Entrypoint: spec.command } : {}),
    ...(spec.args ? { Cmd: spec.args } : {}),
    Env: env,
    ...(spec.workdir ? { WorkingDir: spec.workdir } : {}),
    ...(spec.hostname ? { Hostname: spec.hostname } : {}),
    ...(spec.user ? { User: spec.user } : {}),
    Labels: {
      ...(spec.labels ?? {}),
      [LABEL_TASK]: task.id,
      [LABEL_SERVICE]: task.serviceName,
      [LABEL_NODE]: nodeId,
      [LABEL_SLOT]: String(task.slot),
    },
    ExposedPorts: exposed,
    ...(primary ? { NetworkingConfig: { EndpointsConfig: { [primary.docker]: { Aliases: primary.aliases } } } } : {}),
    ...(spec.healthcheck ? { Healthcheck: dockerHealthcheck(spec.healthcheck) } : {}),
    ...(spec.stopSignal ? { StopSignal: spec.stopSignal } : {}),
    ...(spec.stopGracePeriodMs !== undefined ? { StopTimeout: Math.ceil(spec.stopGracePeriodMs / 1000) } : {}),
    HostConfig: {
      PortBindings: bindings,
      RestartPolicy: { Name: 'no' },
      // A chatty task must not fill the engine's disk: at most 3 x 10 MB of output per container.
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
      ...(limits?.cpus ? { NanoCpus: Math.round(limits.cpus * 1e9) } : {}),
      ...(limits?.memoryBytes ? { Memory: limits.memoryBytes } : {}),
      Mounts: (spec.mounts ?? []).map((m) => ({
        Type: m.type,
        Target: m.target,
        Source: m.source ?? '', // tmpfs and anonymous volumes have none
        ReadOnly: m.readOnly ?? false,
      })),
      ...(spec.privileged ? { Privileged: true } : {}),
      ...(spec.networkMode ? { NetworkMode: spec.networkMode } : {}),
      // DnsOptions without ndots: Docker's embedded resolver then forwards single-label names (`redis`) to shoal's DNS;
      // with an inherited ndots option it would answer them empty itself.
      ...(primary ? { NetworkMode: primary.docker, Dns: attachment!.dns, DnsOptions: ['timeout:2'] } : {}),
      ...(spec.pidMode ? { PidMode: spec.pidMode } : {}),
      ...(spec.capAdd ? { CapAdd: spec.capAdd } : {}),
      ...(spec.devices ? { Devices: spec.devices.map(deviceMapping) } : {}),
    },
  };
}

/** Docker wants nanoseconds; `["NONE"]` disables the image's own check. */
export function dockerHealthcheck(h: HealthCheck): NonNullable<ContainerCreateOptions['Healthcheck']> {
  return {
    Test: h.test,
    ...(h.intervalMs ? { Interval: h.intervalMs * NS_PER_MS } : {}),
    ...(h.timeoutMs ? { Timeout: h.timeoutMs * NS_PER_MS } : {}),
    ...(h.retries ? { Retries: h.retries } : {}),
    ...(h.startPeriodMs ? { StartPeriod: h.startPeriodMs * NS_PER_MS } : {}),
  };
}

/** `/dev/host[:/dev/container[:perms]]`, as `docker run --device`. */
function deviceMapping(text: string): { PathOnHost: string; PathInContainer: string; CgroupPermissions: string } {
  const [host, container, perms] = text.split(':');
  return { PathOnHost: host, PathInContainer: container || host, CgroupPermissions: perms || 'rwm' };
}
