/** One Compose service -> one ServiceSpec named `<stack>_<service>`. */
import type { ServiceSpec } from '@shoal/types';
import { fail, isDoc, type ComposeContext } from './common.js';
import { defaultNetwork } from './networks.js';
import { resolveHostPath } from './paths.js';
import { SERVICE_KEYS } from './service-keys.js';

export function serviceSpec(name: string, svc: unknown, ctx: ComposeContext): ServiceSpec {
  const where = `services.${name}`;
  if (!isDoc(svc)) throw fail(`${where}: expected a map`);
  const specName = `${ctx.stack}_${name}`.toLowerCase();
  if (svc.build !== undefined && svc.image === undefined) {
    const raw = typeof svc.build === 'string' ? svc.build : isDoc(svc.build) && svc.build.context !== undefined ? String(svc.build.context) : '.';
    const context = resolveHostPath(raw, ctx);
    throw fail(
      `${where}: "build" without "image" cannot run on a cluster (nodes pull images, they do not build them): ` +
        `build it with \`docker build -t REGISTRY/${specName}:TAG ${context}\`, push it to a registry every node can pull from, ` +
        `and set ${where}.image to REGISTRY/${specName}:TAG`,
    );
  }
  const spec: ServiceSpec = { name: specName, labels: { 'shoal.stack': ctx.stack } };
  for (const key of Object.keys(svc)) if (!Object.hasOwn(SERVICE_KEYS, key) && !key.startsWith('x-')) ctx.warn(`${where}.${key} is not supported; ignored`);
  for (const [key, mapper] of Object.entries(SERVICE_KEYS)) {
    if (svc[key] !== undefined) mapper(spec, svc[key], `${where}.${key}`, ctx, svc);
  }
  defaultNetwork(spec, ctx);
  if (svc['x-shoal-driver'] !== undefined) execDriver(spec, svc['x-shoal-driver'], `${where}.x-shoal-driver`);
  return spec;
}

/**
 * `x-shoal-driver: exec` (a Compose extension field) runs the service as
 * plain processes: `command` (after any `entrypoint`) is the program and its
 * arguments, and no image is pulled.
 */
function execDriver(spec: ServiceSpec, value: unknown, where: string): void {
  if (value === 'docker') return;
  if (value !== 'exec') throw fail(`${where}: "${String(value)}" must be exec or docker`);
  spec.driver = 'exec';
  spec.command = [...(spec.command ?? []), ...(spec.args ?? [])];
  delete spec.args;
  delete spec.image;
}
