/** The services and the fault schedule of a control-plane run, drawn from the seed. */
import type { ServiceSpec } from '@shoal/types';
import type { Rng } from '../rng.js';

const MiB = 1024 * 1024;

export function initialServices(): { id: string; spec: ServiceSpec }[] {
  return [
    {
      id: 'svc-web',
      spec: {
        name: 'web',
        image: 'web:v1',
        replicas: 300,
        resources: { reservations: { cpus: 0.25, memoryBytes: 256 * MiB } },
        update: { parallelism: 25, monitorMs: 2000, failureAction: 'rollback', order: 'stop-first' },
        rollback: { parallelism: 0, monitorMs: 1000 },
      },
    },
    {
      id: 'svc-api',
      spec: {
        name: 'api',
        image: 'api:v1',
        replicas: 150,
        healthcheck: { test: ['CMD-SHELL', 'true'] },
        update: { parallelism: 10, monitorMs: 1500, failureAction: 'rollback', order: 'start-first' },
        rollback: { parallelism: 20, monitorMs: 500, order: 'start-first' },
      },
    },
    {
      id: 'svc-db',
      spec: { name: 'db', image: 'db:v1', replicas: 20, placement: { constraints: ['node.labels.zone == z1'], maxReplicasPerNode: 1 }, resources: { reservations: { memoryBytes: 2048 * MiB } } },
    },
    { id: 'svc-cache', spec: { name: 'cache', image: 'cache:v1', replicas: 60, ports: [{ published: 6379, target: 6379 }], update: { parallelism: 15, monitorMs: 500 } } },
    {
      id: 'svc-mon',
      spec: { name: 'mon', image: 'mon:v1', mode: 'global', placement: { constraints: ['node.labels.zone != z4'] }, update: { parallelism: 100, monitorMs: 500, failureAction: 'rollback' } },
    },
  ];
}

export type Fault =
  | { at: number; kind: 'down' | 'up' | 'drain' | 'activate'; nodeId: string }
  | { at: number; kind: 'join'; nodeId: string }
  | { at: number; kind: 'scale'; serviceId: string; replicas: number }
  | { at: number; kind: 'update'; serviceId: string; image: string };

export interface FaultCounts {
  failures: number;
  drains: number;
  joins: number;
  scales: number;
  updates: number;
}

export const DEFAULT_FAULTS: FaultCounts = { failures: 30, drains: 10, joins: 10, scales: 6, updates: 8 };

/** Services a bad image may be pushed to: those that roll back on failure (others would crash-loop by design). */
const ROLLBACK_SERVICES = ['svc-web', 'svc-api', 'svc-mon'];
const SCALABLE: Record<string, number> = { 'svc-web': 300, 'svc-api': 150, 'svc-cache': 60, 'svc-db': 20 };

export function faultSchedule(rng: Rng, nodeIds: string[], horizonMs: number, counts: FaultCounts, tickMs: number): Fault[] {
  const at = () => Math.floor(rng.range(tickMs, horizonMs) / tickMs) * tickMs;
  const faults: Fault[] = [];
  const victims = rng.shuffle([...nodeIds]);
  for (let i = 0; i < counts.failures; i++) {
    const nodeId = victims.pop()!;
    const t = at();
    faults.push({ at: t, kind: 'down', nodeId });
    if (rng.chance(0.7)) faults.push({ at: t + Math.floor(rng.range(2_000, 30_000) / tickMs) * tickMs, kind: 'up', nodeId });
  }
  for (let i = 0; i < counts.drains; i++) {
    const nodeId = victims.pop()!;
    const t = at();
    faults.push({ at: t, kind: 'drain', nodeId });
    if (rng.chance(0.5)) faults.push({ at: t + Math.floor(rng.range(1_000, 20_000) / tickMs) * tickMs, kind: 'activate', nodeId });
  }
  for (let i = 0; i < counts.joins; i++) faults.push({ at: at(), kind: 'join', nodeId: `joined-${i}` });
  const scalable = Object.keys(SCALABLE);
  for (let i = 0; i < counts.scales; i++) {
    const serviceId = rng.pick(scalable);
    const base = SCALABLE[serviceId];
    faults.push({ at: at(), kind: 'scale', serviceId, replicas: rng.range(Math.floor(base * 0.5), Math.ceil(base * 1.3)) });
  }
  for (let i = 0; i < counts.updates; i++) {
    const roll = rng.next();
    const serviceId = roll < 0.4 ? rng.pick(ROLLBACK_SERVICES) : rng.pick([...ROLLBACK_SERVICES, 'svc-cache']);
    const kind = roll < 0.25 ? 'bad' : roll < 0.4 ? 'sick' : `v${i + 2}`;
    faults.push({ at: at(), kind: 'update', serviceId, image: kind });
  }
  return faults.sort((a, b) => a.at - b.at);
}
