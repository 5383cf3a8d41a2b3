/** One Compose service -> one ServiceSpec named `<stack>_<service>`. */
import type { ServiceSpec } from '@shoal/types';
import { fail, isDoc, type ComposeContext } from './common.js';
import { SERVICE_KEYS } from './service-keys.js';

export function serviceSpec(name: string, svc: unknown, ctx: ComposeContext): ServiceSpec {
  const where = `services.${name}`;
  if (!isDoc(svc)) throw fail(`${where}: expected a map`);
  const spec: ServiceSpec = { name: `${ctx.stack}_${name}`.toLowerCase(), labels: { 'shoal.stack': ctx.stack } };
  for (const key of Object.keys(svc)) if (!Object.hasOwn(SERVICE_KEYS, key)) ctx.warn(`${where}.${key} is not supported; ignored`);
  for (const [key, mapper] of Object.entries(SERVICE_KEYS)) {
    if (svc[key] !== undefined) mapper(spec, svc[key], `${where}.${key}`, ctx);
  }
  return spec;
}
