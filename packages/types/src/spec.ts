/**
 * The service spec: one TypeBox schema that is at once the TypeScript type,
 * the API's request schema (and so the OpenAPI document) and the validator.
 * Durations are integer milliseconds; the CLI parses "10s" into them.
 */
import { Type, type Static } from '@sinclair/typebox';
import { FileRefSchema, SECRET_NAME_PATTERN } from './secret-spec.js';

const Duration = (description: string) => Type.Integer({ minimum: 0, description: `${description} (milliseconds)` });

export const PortSchema = Type.Object(
  {
    published: Type.Integer({ minimum: 1, maximum: 65535, description: 'Port on the node (host mode)' }),
    target: Type.Integer({ minimum: 1, maximum: 65535, description: 'Port inside the task' }),
    protocol: Type.Optional(Type.Union([Type.Literal('tcp'), Type.Literal('udp')])),
    mode: Type.Optional(
      Type.Union([Type.Literal('ingress'), Type.Literal('host')], {
        description: 'ingress (default): the port answers on every node and balances over healthy tasks; host: bound only on nodes that run a task',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ResourceAmountsSchema = Type.Object(
  {
    cpus: Type.Optional(Type.Number({ minimum: 0, maximum: 1024, description: 'CPU cores, e.g. 0.5' })),
    memoryBytes: Type.Optional(Type.Integer({ minimum: 0, description: 'Memory in bytes' })),
  },
  { additionalProperties: false },
);

export const UpdateConfigSchema = Type.Object(
  {
    parallelism: Type.Optional(Type.Integer({ minimum: 0, description: 'Tasks updated at once; 0 = all' })),
    delayMs: Type.Optional(Duration('Pause between batches')),
    failureAction: Type.Optional(Type.Union([Type.Literal('pause'), Type.Literal('rollback'), Type.Literal('continue')])),
    monitorMs: Type.Optional(Duration('How long an updated task is watched for failure')),
    maxFailureRatio: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    order: Type.Optional(Type.Union([Type.Literal('stop-first'), Type.Literal('start-first')])),
    canary: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 1000, description: 'update only: start this many new tasks beside the old ones and wait for `shoal service promote` (0 = no canary)' }),
    ),
    autoPromote: Type.Optional(Type.Boolean({ description: 'update only: promote the canaries once all are healthy for the monitor period' })),
  },
  { additionalProperties: false },
);

export const RestartPolicySchema = Type.Object(
  {
    condition: Type.Optional(Type.Union([Type.Literal('none'), Type.Literal('on-failure'), Type.Literal('any')])),
    delayMs: Type.Optional(Duration('Wait before the first restart; doubles on each further restart without a healthy run')),
    maxDelayMs: Type.Optional(Duration('Cap of the doubling restart delay')),
    maxAttempts: Type.Optional(Type.Integer({ minimum: 0, description: '0 = unlimited' })),
    windowMs: Type.Optional(Duration('Window over which attempts are counted')),
  },
  { additionalProperties: false },
);

export const HealthCheckSchema = Type.Object(
  {
    test: Type.Array(Type.String(), {
      minItems: 1,
      description: '["CMD", exe, ...args] | ["CMD-SHELL", "script"] | ["NONE"]',
    }),
    intervalMs: Type.Optional(Duration('Time between checks')),
    timeoutMs: Type.Optional(Duration('Time a check may take')),
    retries: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    startPeriodMs: Type.Optional(Duration('Grace period after start where failures do not count')),
  },
  { additionalProperties: false },
);

export const MountSchema = Type.Object(
  {
    type: Type.Union([Type.Literal('bind'), Type.Literal('volume'), Type.Literal('tmpfs')]),
    source: Type.Optional(Type.String()),
    target: Type.String({ minLength: 1 }),
    readOnly: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const PlacementSchema = Type.Object(
  {
    constraints: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description: 'node.labels.K == V, node.labels.K != V, node.id == ID, node.hostname == NAME, node.platform.os/arch == X',
      }),
    ),
    preferences: Type.Optional(Type.Array(Type.Object({ spread: Type.String({ minLength: 1 }) }, { additionalProperties: false }))),
    maxReplicasPerNode: Type.Optional(Type.Integer({ minimum: 0, description: '0 = unlimited' })),
    platforms: Type.Optional(Type.Array(Type.Object({ os: Type.String(), arch: Type.String() }, { additionalProperties: false }))),
  },
  { additionalProperties: false },
);

export const JobConfigSchema = Type.Object(
  {
    completions: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, description: 'replicated-job: tasks that must exit 0 for a run to complete (default 1)' })),
    parallelism: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, description: 'replicated-job: most tasks running at once (default 1)' })),
    schedule: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Cron expression (UTC, 5 fields, or 6 with seconds first): start a run at each tick instead of once; runs never overlap' }),
    ),
  },
  { additionalProperties: false },
);

/** Network and alias names: what a DNS label and a Docker network name both accept. */
export const NETWORK_NAME_PATTERN = '^[a-z0-9][a-z0-9_.-]{0,62}$';

export const NetworkAttachmentSchema = Type.Object(
  {
    name: Type.String({ pattern: NETWORK_NAME_PATTERN, description: 'A cluster network; created on first reference. A stack\'s are <stack>_default and <stack>_<net>' }),
    aliases: Type.Optional(Type.Array(Type.String({ pattern: NETWORK_NAME_PATTERN, description: 'Extra DNS names of the service on this network' }))),
  },
  { additionalProperties: false },
);

export const ServiceSpecSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]{0,62}$', description: 'Lower-case letters, digits, - _ . ; up to 63 characters' }),
    driver: Type.Optional(Type.Union([Type.Literal('docker'), Type.Literal('exec')], { description: 'Default: docker' })),
    image: Type.Optional(Type.String({ minLength: 1, description: 'Required for the docker driver' })),
    command: Type.Optional(Type.Array(Type.String(), { description: 'Entrypoint override (docker) or program and args (exec)' })),
    args: Type.Optional(Type.Array(Type.String())),
    env: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String())),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
    workdir: Type.Optional(Type.String()),
    hostname: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9]([A-Za-z0-9.-]{0,62})$', description: 'Host name inside the task (docker); HOSTNAME in the environment (exec)' }),
    ),
    user: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$', description: 'USER[:GROUP] (name or number) the task runs as' }),
    ),
    mode: Type.Optional(
      Type.Union([Type.Literal('replicated'), Type.Literal('global'), Type.Literal('replicated-job'), Type.Literal('global-job')], {
        description: 'Default: replicated. The job modes run tasks to completion: replicated-job (job.completions, job.parallelism) or global-job (one per node)',
      }),
    ),
    job: Type.Optional(JobConfigSchema),
    replicas: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000, description: 'Replicated mode only; default 1' })),
    resources: Type.Optional(
      Type.Object({ reservations: Type.Optional(ResourceAmountsSchema), limits: Type.Optional(ResourceAmountsSchema) }, { additionalProperties: false }),
    ),
    ports: Type.Optional(Type.Array(PortSchema)),
    placement: Type.Optional(PlacementSchema),
    update: Type.Optional(UpdateConfigSchema),
    rollback: Type.Optional(UpdateConfigSchema),
    restart: Type.Optional(RestartPolicySchema),
    healthcheck: Type.Optional(HealthCheckSchema),
    stopGracePeriodMs: Type.Optional(Duration('Time between the stop signal and a kill')),
    stopSignal: Type.Optional(Type.String({ pattern: '^SIG[A-Z0-9]+$' })),
    mounts: Type.Optional(Type.Array(MountSchema)),
    privileged: Type.Optional(Type.Boolean()),
    networkMode: Type.Optional(Type.String({ description: 'bridge (default), host, none' })),
    pidMode: Type.Optional(Type.String({ description: 'host to share the host pid namespace' })),
    capAdd: Type.Optional(Type.Array(Type.String())),
    devices: Type.Optional(Type.Array(Type.String())),
    secrets: Type.Optional(Type.Array(FileRefSchema, { description: 'Secrets delivered as files (docker: tmpfs under /run/secrets; exec: $SHOAL_SECRETS_DIR)' })),
    configs: Type.Optional(Type.Array(FileRefSchema, { description: 'Configs delivered as files at their target' })),
    registryAuth: Type.Optional(Type.String({ pattern: SECRET_NAME_PATTERN, description: 'Secret holding registry credentials (`shoal registry login`), opened only by nodes that pull this image' })),
    volumePolicy: Type.Optional(
      Type.Union([Type.Literal('wait'), Type.Literal('move')], { description: 'When the node holding a task\'s named volume is down: wait for it (default) or start elsewhere with an empty volume' }),
    ),
    networks: Type.Optional(
      Type.Array(NetworkAttachmentSchema, { description: 'Networks the tasks join; none given = the cluster network "default"' }),
    ),
    historyLimit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 100, description: 'Versions of this service kept for `shoal service history` and `rollback --to` (default 10)' }),
    ),
    priority: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 1000, description: 'Higher stays longer: when a node is under pressure, tasks of lower priority move away first (default 0)' }),
    ),
    rebalance: Type.Optional(
      Type.Union([Type.Literal('manual'), Type.Literal('auto')], {
        description: 'manual (default): tasks move only on `shoal service rebalance`; auto: the leader evens out the spread when nodes join or return, rate-limited',
      }),
    ),
    endpointMode: Type.Optional(
      Type.Union([Type.Literal('vip'), Type.Literal('dnsrr')], {
        description: 'vip (default): the name resolves to one virtual IP balanced in the kernel; dnsrr: to the addresses of the healthy tasks',
      }),
    ),
  },
  { additionalProperties: false },
);

export type ServiceSpec = Static<typeof ServiceSpecSchema>;
export type PortSpec = Static<typeof PortSchema>;
export type NetworkAttachment = Static<typeof NetworkAttachmentSchema>;
export type UpdateConfig = Static<typeof UpdateConfigSchema>;
export type RestartPolicy = Static<typeof RestartPolicySchema>;
export type HealthCheck = Static<typeof HealthCheckSchema>;
export type Placement = Static<typeof PlacementSchema>;
export type JobConfig = Static<typeof JobConfigSchema>;
