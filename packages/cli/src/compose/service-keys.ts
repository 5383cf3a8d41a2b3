/**
 * The service keys shoal maps, one mapper per Compose key, applied in this
 * order (env_file before environment, restart before deploy). A key missing
 * here is reported as a warning by `serviceSpec` ("... is not supported;
 * ignored"), never silently dropped. To support a new key, add its mapper
 * (in a file of its own when it is more than a line) to this table.
 */
import type { ServiceSpec } from '@shoal/types';
import { parseDuration } from '../units.js';
import { fail, mapOrList, splitCommand, stringList, type ComposeContext, type Doc } from './common.js';
import { deploy } from './deploy.js';
import { environment, envFiles } from './environment.js';
import { healthcheck } from './healthcheck.js';
import { composePort } from './ports.js';
import { serviceNetworks } from './networks.js';
import { restart } from './restart.js';
import { mounts, tmpfsMounts } from './volumes.js';
import { serviceFiles } from './secrets.js';

export type KeyMapper = (spec: ServiceSpec, value: unknown, where: string, ctx: ComposeContext, service: Doc) => void;

/** Keys read elsewhere (the dependency graph, the build check): known, so not warned about here. */
const handledElsewhere: KeyMapper = () => undefined;

export const SERVICE_KEYS: Record<string, KeyMapper> = {
  image: (spec, v) => void (spec.image = String(v)),
  build: (_spec, _v, where, ctx) => ctx.warn(`${where} is ignored: the image is pulled by every node, not built`),
  depends_on: handledElsewhere,
  entrypoint: (spec, v, where) => void (spec.command = splitCommand(v, where)),
  command: (spec, v, where) => void (spec.args = splitCommand(v, where)),
  env_file: envFiles,
  environment,
  labels: (spec, v, where) => void (spec.labels = { ...spec.labels, ...mapOrList(v, where) }),
  working_dir: (spec, v) => void (spec.workdir = String(v)),
  hostname: (spec, v) => void (spec.hostname = String(v)),
  user: (spec, v) => void (spec.user = String(v)),
  ports: (spec, v, where, ctx) => {
    if (!Array.isArray(v)) throw fail(`${where}: expected a list`);
    const ports = v.map((p, i) => composePort(p, `${where}[${i}]`, ctx.warn)).filter((p) => p !== undefined);
    if (ports.length > 0) spec.ports = ports;
  },
  // Informational, as in Compose: no host port; other services reach every port of a task on a shared network.
  expose: (_spec, v, where) => {
    for (const p of stringList(v, where)) if (!/^\d+(-\d+)?(\/(tcp|udp))?$/.test(p)) throw fail(`${where}: "${p}" is not a port, e.g. 8080 or 8080/udp`);
  },
  networks: serviceNetworks,
  restart,
  deploy: (spec, v, where, ctx) => deploy(spec, v, where, ctx.warn),
  healthcheck: (spec, v, where) => void (spec.healthcheck = healthcheck(v, where)),
  stop_grace_period: (spec, v, where) => void (spec.stopGracePeriodMs = parseDuration(String(v), where)),
  stop_signal: (spec, v) => void (spec.stopSignal = String(v)),
  volumes: (spec, v, where, ctx) => void (spec.mounts = [...(spec.mounts ?? []), ...(mounts(v, where, ctx) ?? [])]),
  secrets: serviceFiles('secret'),
  configs: serviceFiles('config'),
  tmpfs: tmpfsMounts,
  privileged: (spec, v) => void (spec.privileged = Boolean(v)),
  network_mode: (spec, v) => void (spec.networkMode = String(v)),
  pid: (spec, v) => void (spec.pidMode = String(v)),
  cap_add: (spec, v, where) => void (spec.capAdd = stringList(v, where)),
  devices: (spec, v, where) => void (spec.devices = stringList(v, where)),
};
