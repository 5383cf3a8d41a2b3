/**
 * Compose networks -> cluster networks. A stack's networks are named
 * `<stack>_<net>` (so two stacks with a `db` never share one) and a service
 * that lists none joins `<stack>_default`, as `docker stack deploy` does.
 * `external` networks keep their own name. The leader creates a network the
 * first time a service names it, so nothing is created here.
 */
import type { NetworkAttachment, ServiceSpec } from '@shoal/types';
import { fail, isDoc, stringList, type ComposeContext } from './common.js';

const NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
const SUPPORTED = new Set(['external', 'name']);

/** The cluster name of a Compose network of this file; refuses one the file does not declare. */
function clusterName(net: string, where: string, ctx: ComposeContext): string {
  const declared = isDoc(ctx.doc.networks) ? ctx.doc.networks : {};
  if (net !== 'default' && !Object.hasOwn(declared, net)) throw fail(`${where}: network "${net}" is not declared in the top-level networks section`);
  const def = declared[net];
  const external = isDoc(def) && def.external !== undefined && def.external !== false;
  const name = external ? String((isDoc(def) && def.name) || (isDoc(def.external) && def.external.name) || net) : `${ctx.stack}_${net}`.toLowerCase();
  if (!NAME.test(name)) throw fail(`${where}: network name "${name}" must be lower-case letters, digits, _ . - (up to 63 characters)`);
  return name;
}

export function serviceNetworks(spec: ServiceSpec, value: unknown, where: string, ctx: ComposeContext): void {
  const entries: [string, unknown][] = Array.isArray(value) ? stringList(value, where).map((n) => [n, null]) : isDoc(value) ? Object.entries(value) : [];
  if (!Array.isArray(value) && !isDoc(value)) throw fail(`${where}: expected a list or a map`);
  spec.networks = entries.map(([net, opts]) => {
    const at = `${where}.${net}`;
    const attachment: NetworkAttachment = { name: clusterName(net, at, ctx) };
    if (isDoc(opts)) {
      for (const k of Object.keys(opts)) if (k !== 'aliases') ctx.warn(`${at}.${k} is not supported; ignored`);
      if (opts.aliases !== undefined) {
        const aliases = stringList(opts.aliases, `${at}.aliases`).map((a) => a.toLowerCase());
        for (const a of aliases) if (!NAME.test(a)) throw fail(`${at}.aliases: "${a}" is not a DNS name (lower-case letters, digits, _ . -)`);
        attachment.aliases = aliases;
      }
    } else if (opts !== null && opts !== undefined) throw fail(`${at}: expected a map or nothing`);
    return attachment;
  });
}

/** Every service without `networks` (and without a network_mode) joins `<stack>_default`. */
export function defaultNetwork(spec: ServiceSpec, ctx: ComposeContext): void {
  if (spec.networks === undefined && spec.networkMode === undefined) spec.networks = [{ name: clusterName('default', 'networks', ctx) }];
}

/** The top-level section: checked here, created by the leader when a service first names it. */
export function topLevelNetworks(value: unknown, ctx: ComposeContext): void {
  if (value === null || value === undefined) return;
  if (!isDoc(value)) throw fail('networks: expected a map of network names');
  for (const [net, def] of Object.entries(value)) {
    if (!isDoc(def)) continue;
    for (const k of Object.keys(def)) {
      if (!SUPPORTED.has(k)) ctx.warn(`networks.${net}.${k} is not supported; the network is created with the cluster's settings`);
    }
  }
}
