/**
 * The `docker` driver: one container per task, created with labels that
 * name the task and the node, so `list()` finds them again after an agent
 * restart. The engine does the supervision (exit codes, health checks);
 * the driver only translates.
 */
import type Docker from 'dockerode';
import { dockerClient } from './docker-client.js';
import { ErrorCode, ShoalError, type Task } from '@shoal/types';
import type { Driver, DriverTaskState, LogLine, LogOptions, TaskHandle, TaskStats } from './driver.js';
import { LABEL_NODE, LABEL_TASK, containerSpec, type ContainerAttachment } from './docker-container-spec.js';
import { dockerMessage, engineUnavailable, statusOf, toShoalError } from './docker-errors.js';
import { demuxLogLines } from './docker-log-stream.js';

export interface RegistryAuth {
  username?: string;
  password?: string;
  identitytoken?: string;
  serveraddress?: string;
}

export interface DockerDriverOptions {
  nodeId: string;
  /** A dockerode client; default: the local socket (DOCKER_HOST is honoured). */
  docker?: Docker;
  /** Credentials by registry host (`docker.io`, `registry.example.com:5000`). */
  auth?: Record<string, RegistryAuth>;
  /** A task's own credentials (`--with-registry-auth`), opened only on the node that pulls for it. */
  taskAuth?: (task: Task) => Promise<RegistryAuth | undefined>;
  /** Service networking: how a task joins shoal's networks (absent = Docker's default bridge, as before). */
  network?: { dockerAttachment(task: Task): Promise<ContainerAttachment | null> };
}

/** Docker reports "never" as year 1. */
const parseTime = (s: string | undefined) => (s && !s.startsWith('0001-') ? Date.parse(s) : undefined);

/** How long an image seen on the node is trusted without asking the engine again. */
const IMAGE_CACHE_MS = 5000;

export class DockerDriver implements Driver {
  readonly name = 'docker' as const;
  private client: Docker | undefined;
  private readonly imageChecks = new Map<string, Promise<boolean>>();
  private readonly imageSeenAt = new Map<string, number>();

  constructor(private readonly opts: DockerDriverOptions) {
    this.client = opts.docker;
  }

  /** Made on first use, so a node that never asks the engine never loads dockerode. */
  get docker(): Docker {
    this.client ??= dockerClient();
    return this.client;
  }

  async available(): Promise<boolean> {
    try {
      await this.docker.ping();
      return true;
    } catch {
      return false;
    }
  }

  async prepare(task: Task, onProgress?: (msg: string) => void, signal?: AbortSignal): Promise<void> {
    const image = task.spec.image;
    if (!image) throw new ShoalError(ErrorCode.InvalidSpec, `service ${task.serviceName}: the docker driver needs spec.image`);
    const seen = this.imageSeenAt.get(image);
    if (seen !== undefined && Date.now() - seen < IMAGE_CACHE_MS) return;
    // 50 replicas of one service arrive together: one inspect answers them all.
    let check = this.imageChecks.get(image);
    if (!check) {
      check = this.docker
        .getImage(image)
        .inspect()
        .then(() => true, (err) => {
          if (statusOf(err) === 404) return false;
          throw toShoalError(err, `inspect image ${image}`);
        })
        .finally(() => this.imageChecks.delete(image));
      this.imageChecks.set(image, check);
    }
    if (!(await check)) await this.pull(image, onProgress, signal, task); // absent: pull (a tag already present is used as is)
    this.imageSeenAt.set(image, Date.now());
  }

  async start(task: Task): Promise<TaskHandle> {
    const attachment = (await this.opts.network?.dockerAttachment(task)) ?? null;
    const spec = containerSpec(task, this.opts.nodeId, attachment);
    let container: Docker.Container;
    let fresh = true;
    try {
      container = await this.docker.createContainer(spec);
    } catch (err) {
      if (statusOf(err) !== 409) throw toShoalError(err, `create the container for task ${task.id}`);
      container = await this.existing(task, spec.name!); // a previous attempt created it
      fresh = false;
    }
    try {
      // Docker's create joins one network; the others are joined before start.
      for (const n of attachment?.networks.slice(1) ?? []) {
        await this.docker.getNetwork(n.docker).connect({ Container: container.id, EndpointConfig: { Aliases: n.aliases } }).catch((err: unknown) => {
          if (statusOf(err) !== 403 && !/already exists/.test(dockerMessage(err))) throw err;
        });
      }
      // Never start a task's container twice: one left by an earlier attempt is started only if it never ran.
      if (fresh || parseTime((await container.inspect()).State.StartedAt) === undefined) await container.start();
    } catch (err) {
      // A container that never started (e.g. its host port is taken) would
      // otherwise stay behind in `Created` state on every retry: remove it.
      if (fresh) await container.remove({ force: true }).catch(() => undefined);
      throw toShoalError(err, `start container ${spec.name}`);
    }
    const handle: TaskHandle = { taskId: task.id, ref: container.id, driver: 'docker' };
    if (attachment) handle.addresses = await this.addressesOf(container.id, attachment);
    return handle;
  }

  /** The container's address on each shoal network of its attachment. */
  private async addressesOf(id: string, attachment: ContainerAttachment): Promise<Record<string, string>> {
    const nets = (await this.docker.getContainer(id).inspect()).NetworkSettings.Networks ?? {};
    const out: Record<string, string> = {};
    for (const n of attachment.networks) {
      const ip = nets[n.docker]?.IPAddress;
      if (ip) out[n.network] = ip;
    }
    return out;
  }

  async stop(handle: TaskHandle, graceMs: number, signal?: string): Promise<void> {
    const c = this.docker.getContainer(handle.ref);
    const t = Math.ceil(graceMs / 1000);
    try {
      if (!signal) {
        await c.stop({ t }); // the container's own StopSignal, set at create from the spec
        return;
      }
      // Engines before API 1.42 cannot take a signal on stop: send it, wait, then kill.
      await c.kill({ signal });
      const exited = await Promise.race([c.wait().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), graceMs))]);
      if (!exited) await c.kill({ signal: 'SIGKILL' });
    } catch (err) {
      const status = statusOf(err);
      if (status === 304 || status === 404 || status === 409) return; // already stopped, or gone
      throw toShoalError(err, `stop container ${handle.ref}`);
    }
  }

  async remove(handle: TaskHandle): Promise<void> {
    try {
      await this.docker.getContainer(handle.ref).remove({ force: true, v: true });
    } catch (err) {
      const status = statusOf(err);
      if (status === 404 || (status === 409 && /already in progress/.test(dockerMessage(err)))) return;
      throw toShoalError(err, `remove container ${handle.ref}`);
    }
  }

  async inspect(handle: TaskHandle): Promise<DriverTaskState | null> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(handle.ref).inspect();
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw toShoalError(err, `inspect container ${handle.ref}`);
    }
    const s = info.State;
    const health = s.Health?.Status as DriverTaskState['health'] | undefined;
    const state: DriverTaskState = { running: s.Running || s.Restarting, health: health ?? 'none' };
    const startedAt = parseTime(s.StartedAt);
    if (startedAt !== undefined) state.startedAt = startedAt;
    if (!state.running && startedAt !== undefined) {
      state.exitCode = s.ExitCode;
      state.finishedAt = parseTime(s.FinishedAt);
      if (s.OOMKilled) state.error = 'killed: out of memory (raise resources.limits.memoryBytes)';
      else if (s.Error) state.error = s.Error;
    } else if (!state.running) {
      state.error = s.Error || 'the container was created but never started';
    }
    if (state.running && health === 'unhealthy') {
      const last = s.Health?.Log?.at(-1);
      state.error = (last?.Output ?? '').trim() || `exit code ${last?.ExitCode ?? '?'}`;
    }
    return state;
  }

  async wait(handle: TaskHandle, signal?: AbortSignal): Promise<{ exitCode: number }> {
    try {
      const res = (await this.docker.getContainer(handle.ref).wait({ abortSignal: signal })) as { StatusCode: number };
      return { exitCode: res.StatusCode };
    } catch (err) {
      if (signal?.aborted) throw new ShoalError(ErrorCode.Aborted, 'wait aborted');
      if (statusOf(err) === 404) throw new ShoalError(ErrorCode.NotFound, `container ${handle.ref} no longer exists`);
      throw toShoalError(err, `wait for container ${handle.ref}`);
    }
  }

  async *logs(handle: TaskHandle, opts: LogOptions): AsyncGenerator<LogLine> {
    const c = this.docker.getContainer(handle.ref);
    const base = { stdout: true, stderr: true, timestamps: true, ...(opts.tail !== undefined ? { tail: opts.tail } : {}), abortSignal: opts.signal };
    try {
      if (opts.follow) {
        const stream = (await c.logs({ ...base, follow: true })) as NodeJS.ReadableStream;
        yield* demuxLogLines(stream as AsyncIterable<Buffer>);
      } else {
        const buf = (await c.logs({ ...base, follow: false })) as Buffer;
        yield* demuxLogLines([buf]);
      }
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw toShoalError(err, `read the logs of container ${handle.ref}`, statusOf(err) === 404 ? ErrorCode.NotFound : ErrorCode.Internal);
    }
  }

  async stats(handle: TaskHandle): Promise<TaskStats | null> {
    let s: Docker.ContainerStats;
    try {
      s = await this.docker.getContainer(handle.ref).stats({ stream: false });
    } catch (err) {
      if (statusOf(err) === 404 || statusOf(err) === 409) return null;
      throw toShoalError(err, `read stats of container ${handle.ref}`);
    }
    if (!s.cpu_stats?.cpu_usage || !s.memory_stats) return null; // not running
    const cpuDelta = s.cpu_stats.cpu_usage.total_usage - (s.precpu_stats?.cpu_usage?.total_usage ?? 0);
    const sysDelta = s.cpu_stats.system_cpu_usage - (s.precpu_stats?.system_cpu_usage ?? 0);
    const cpus = s.cpu_stats.online_cpus || s.cpu_stats.cpu_usage.percpu_usage?.length || 1;
    const cpuPercent = sysDelta > 0 && cpuDelta > 0 ? (cpuDelta / sysDelta) * cpus * 100 : 0;
    const m = s.memory_stats as { usage?: number; stats?: Record<string, number> };
    // As `docker stats`: page cache is not the task's memory (cgroup v1 `cache`, v2 `inactive_file`).
    const cache = m.stats?.total_inactive_file ?? m.stats?.inactive_file ?? m.stats?.cache ?? 0;
    return { cpuPercent, memoryBytes: Math.max(0, (m.usage ?? 0) - cache) };
  }

  async list(): Promise<TaskHandle[]> {
    try {
      const containers = await this.docker.listContainers({ all: true, filters: { label: [`${LABEL_NODE}=${this.opts.nodeId}`] } });
      return containers
        .filter((c) => c.Labels[LABEL_TASK])
        .map((c) => {
          const handle: TaskHandle = { taskId: c.Labels[LABEL_TASK], ref: c.Id, driver: 'docker' };
          // Adopted after an agent restart: its addresses on shoal's networks (Docker networks `shoal-<network>`).
          const addresses: Record<string, string> = {};
          for (const [name, n] of Object.entries(c.NetworkSettings?.Networks ?? {})) {
            if (name.startsWith('shoal-') && n.IPAddress) addresses[name.slice('shoal-'.length)] = n.IPAddress;
          }
          if (Object.keys(addresses).length > 0) handle.addresses = addresses;
          return handle;
        });
    } catch (err) {
      throw toShoalError(err, 'list containers');
    }
  }

  private async pull(image: string, onProgress?: (msg: string) => void, signal?: AbortSignal, task?: Task): Promise<void> {
    const authconfig = (task && (await this.opts.taskAuth?.(task))) || this.authFor(image);
    const host = registryHost(image);
    const failed = (reason: string) =>
      new ShoalError(
        ErrorCode.ImageNotFound,
        `image ${image} is not on this node and could not be pulled: ${reason}. Push it to a registry this node can reach; for a private registry run \`shoal registry login ${host}\` and create the service with --with-registry-auth; or load it with \`docker load\``,
        { image },
      );
    let stream: NodeJS.ReadableStream;
    try {
      stream = (await this.docker.pull(image, { ...(authconfig ? { authconfig } : {}), abortSignal: signal })) as NodeJS.ReadableStream;
    } catch (err) {
      if (signal?.aborted) throw new ShoalError(ErrorCode.Aborted, `pull of ${image} cancelled`);
      if (engineUnavailable(err)) throw toShoalError(err, `pull ${image}`);
      throw failed(dockerMessage(err));
    }
    const error = await new Promise<string | null>((resolve) => {
      let firstError: string | null = null;
      this.docker.modem.followProgress(
        stream,
        (err: Error | null) => resolve(firstError ?? (err ? err.message : null)),
        (ev: { status?: string; progress?: string; id?: string; error?: string; errorDetail?: { message?: string } }) => {
          if (ev.error || ev.errorDetail) firstError ??= ev.errorDetail?.message ?? ev.error ?? 'pull failed';
          else if (ev.status) onProgress?.([ev.id, ev.status, ev.progress].filter(Boolean).join(' '));
        },
      );
    });
    if (signal?.aborted) throw new ShoalError(ErrorCode.Aborted, `pull of ${image} cancelled`);
    if (error) throw failed(error);
  }

  private authFor(image: string): RegistryAuth | undefined {
    if (!this.opts.auth) return undefined;
    const host = registryHost(image);
    const auth = this.opts.auth[host];
    return auth ? { serveraddress: host, ...auth } : undefined;
  }

  private async existing(task: Task, name: string): Promise<Docker.Container> {
    const c = this.docker.getContainer(name);
    const info = await c.inspect();
    if (info.Config.Labels?.[LABEL_TASK] !== task.id) {
      throw new ShoalError(ErrorCode.Conflict, `a container named ${name} exists but does not belong to task ${task.id}; remove it (docker rm -f ${name})`);
    }
    return c;
  }
}

/** The registry an image reference points at, as Docker reads it. */
function registryHost(image: string): string {
  const first = image.split('/')[0];
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}
