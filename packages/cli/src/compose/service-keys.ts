/**
 * The service keys shoal maps, one mapper per Compose key. A key missing
 * here is reported as a warning by `serviceSpec` ("... is not supported;
 * ignored"), never silently dropped. To support a new key, add its mapper
 * (in a file of its own when it is more than a line) to this table.
 */
import type { ServiceSpec } from '@shoal/types';
import { parseDuration } from '../units.js';
import { fail, mapOrList, splitCommand, stringList, type ComposeContext } from './common.js';
import { deploy } from './deploy.js';
import { healthcheck } from './healthcheck.js';
import { composePort } from './ports.js';
import { mounts } from './volumes.js';
import { serviceFiles } from './secrets.js';

export type KeyMapper = (spec: ServiceSpec, value: unknown, where: string, ctx: ComposeContext) => void;

export const SERVICE_KEYS: Record<string, KeyMapper> = {
  image: (spec, v) => void (spec.image = String(v)),
  entrypoint: (spec, v, where) => void (spec.command = splitCommand(v, where)),
  command: (spec, v, where) => void (spec.args = splitCommand(v, where)),
  environment: (spec, v, where) => void (spec.env = { ...spec.env, ...mapOrList(v, where) }),
  labels: (spec, v, where) => void (spec.labels = { ...spec.labels, ...mapOrList(v, where) }),
  working_dir: (spec, v) => void (spec.workdir = String(v)),
  ports: (spec, v, where, ctx) => {
    if (!Array.isArray(v)) throw fail(`${where}: expected a list`);
    const ports = v.map((p, i) => composePort(p, `${where}[${i}]`, ctx.warn)).filter((p) => p !== undefined);
    if (ports.length > 0) spec.ports = ports;
  },
  deploy: (spec, v, where, ctx) => deploy(spec, v, where, ctx.warn),
  healthcheck: (spec, v, where) => void (spec.healthcheck = healthcheck(v, where)),
  stop_grace_period: (spec, v, where) => void (spec.stopGracePeriodMs = parseDuration(String(v), where)),
  stop_signal: (spec, v) => void (spec.stopSignal = String(v)),
  volumes: (spec, v, where, ctx) => void (spec.mounts = mounts(v, where, ctx)),
  secrets: serviceFiles('secret'),
  configs: serviceFiles('config'),
  privileged: (spec, v) => void (spec.privileged = Boolean(v)),
  network_mode: (spec, v) => void (spec.networkMode = String(v)),
  pid: (spec, v) => void (spec.pidMode = String(v)),
  cap_add: (spec, v, where) => void (spec.capAdd = stringList(v, where)),
  devices: (spec, v, where) => void (spec.devices = stringList(v, where)),
};
