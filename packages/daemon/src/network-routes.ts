/**
 * `shoal network ls|inspect|create|rm` and the endpoints shown by
 * `shoal service inspect`: routes the daemon adds to the admin API (same
 * bearer token and error format), read from the local replica.
 */
import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { ApiServer } from '@shoal/api';
import { endpointsOf, gatewayOf, parseRanges, rangesOf } from '@shoal/netplan';
import { ErrorCode, NETWORK_NAME_PATTERN, ShoalError, specNetworks, type Network } from '@shoal/types';
import type { ClusterRuntime } from './runtime.js';
import { operatorWrite } from './operator-write.js';

const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 256 }) });
const CreateBody = Type.Object(
  { name: Type.String({ pattern: NETWORK_NAME_PATTERN }), labels: Type.Optional(Type.Record(Type.String(), Type.String())) },
  { additionalProperties: false },
);

export interface NetworkView extends Network {
  services: { name: string; vip?: string; aliases: string[] }[];
  tasks: { taskId: string; service: string; nodeId: string; address: string }[];
  gateways: Record<string, string>;
}

/** What the routes need of the node: its runtime, once it is in a cluster. */
export interface RuntimeHolder {
  readonly runtime: ClusterRuntime | null;
}

function runtime(node: RuntimeHolder): ClusterRuntime {
  const rt = node.runtime;
  if (!rt) throw new ShoalError(ErrorCode.Conflict, 'this agent is not in a cluster yet: run `shoal init` to create one, or `shoal join ADDR --join-token-file FILE`');
  return rt;
}

export function networkView(rt: ClusterRuntime, net: Network): NetworkView {
  const services = rt.state
    .services()
    .filter((s) => specNetworks(s.spec).some((n) => n.name === net.name))
    .map((s) => ({ name: s.spec.name, ...(s.vip ? { vip: s.vip } : {}), aliases: specNetworks(s.spec).find((n) => n.name === net.name)!.aliases }));
  const tasks = services.flatMap((s) => endpointsOf(rt.state, rt.state.service(s.name)!, net.name).map((e) => ({ taskId: e.taskId, service: s.name, nodeId: e.nodeId, address: e.address })));
  const gateways = Object.fromEntries(Object.entries(net.subnets).map(([nodeId, cidr]) => [nodeId, gatewayOf(cidr)]));
  return { ...net, services, tasks, gateways };
}

export function registerNetworkRoutes(app: ApiServer, node: RuntimeHolder): void {
  app.get('/v1/networks', async () => {
    const rt = runtime(node);
    return rt.state.networks().map((n) => networkView(rt, n));
  });
  app.get('/v1/networks/:name', { schema: { summary: 'Inspect a network', params: NameParams } }, async (req) => {
    const rt = runtime(node);
    const net = rt.state.network((req.params as { name: string }).name);
    if (!net) throw new ShoalError(ErrorCode.NotFound, `network ${(req.params as { name: string }).name} not found; list networks with \`shoal network ls\``);
    return networkView(rt, net);
  });
  app.post('/v1/networks', { schema: { summary: 'Create a network kept until `shoal network rm` (subnets are allocated by the leader)', body: CreateBody } }, async (req) => {
    const rt = runtime(node);
    const body = req.body as { name: string; labels?: Record<string, string> };
    const { result } = await operatorWrite(rt, { type: 'network.create', at: Date.now(), networkId: randomBytes(12).toString('hex'), name: body.name, explicit: true, labels: body.labels ?? {}, subnets: {} });
    if (!result.ok) throw new ShoalError(result.error.code === ErrorCode.Conflict ? ErrorCode.Conflict : ErrorCode.Internal, result.error.message);
    return networkView(rt, rt.state.network(body.name)!);
  });
  app.delete('/v1/networks/:name', { schema: { summary: 'Remove a network no service uses', params: NameParams } }, async (req, reply) => {
    const rt = runtime(node);
    const { result } = await operatorWrite(rt, { type: 'network.remove', at: Date.now(), networkId: (req.params as { name: string }).name });
    if (!result.ok) throw new ShoalError(result.error.code === ErrorCode.NotFound ? ErrorCode.NotFound : ErrorCode.Conflict, result.error.message);
    return reply.status(204).send();
  });
  app.get('/v1/services/:name/endpoints', { schema: { summary: 'The VIP and the serving endpoints of a service', params: NameParams } }, async (req) => {
    const rt = runtime(node);
    const s = rt.state.service((req.params as { name: string }).name);
    if (!s) throw new ShoalError(ErrorCode.NotFound, `service ${(req.params as { name: string }).name} not found; list services with \`shoal service ls\``);
    return { service: s.spec.name, vip: s.vip ?? null, endpointMode: s.spec.endpointMode ?? 'vip', dns: parseRanges(rangesOf(rt.state.config())).dns, endpoints: endpointsOf(rt.state, s) };
  });
}
