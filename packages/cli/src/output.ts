/**
 * Output for people (aligned columns, like docker's tables) and for scripts
 * (--json). Writers are injected so commands can be tested without a TTY.
 */
import type { NodeInfo, Service, Task } from '@shoal/types';
import { formatBytes, formatDuration } from './units.js';
import { restartNote } from './restart-note.js';

export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
  isTTY: boolean;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
  isTTY: Boolean(process.stderr.isTTY),
};

/** Columns padded to the widest cell, two spaces apart; no trailing spaces. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

export function ago(at: number, now: number): string {
  const ms = Math.max(0, now - at);
  return ms < 1000 ? 'just now' : `${formatDuration(ms).replace(/(\d+[a-z]+)(\d+[a-z]+)?.*/, '$1$2')} ago`;
}

export function shortId(id: string): string {
  return id.length > 12 ? id.slice(0, 12) : id;
}

export function replicasCell(service: Service, tasks: Task[]): string {
  const running = tasks.filter((t) => t.serviceId === service.id && t.desiredState === 'running' && t.status.state === 'running').length;
  if (service.spec.mode === 'replicated-job' || service.spec.mode === 'global-job') {
    // A job's tasks of the current run: how many finished with exit 0 (see `shoal job ls`).
    const mine = tasks.filter((t) => t.serviceId === service.id && t.desiredState === 'running' && t.jobIteration === service.job?.iteration);
    const done = mine.filter((t) => t.status.state === 'complete').length;
    const wanted = service.spec.mode === 'global-job' ? mine.length : (service.spec.job?.completions ?? 1);
    return `${done}/${wanted} completed`;
  }
  if (service.spec.mode === 'global') {
    const desired = tasks.filter((t) => t.serviceId === service.id && t.desiredState === 'running').length;
    return `${running}/${desired} (global)`;
  }
  return `${running}/${service.spec.replicas ?? 1}`;
}

export function servicesTable(services: Service[], tasks: Task[]): string {
  const ports = (s: Service) => (s.spec.ports ?? []).map((p) => `*:${p.published}->${p.target}/${p.protocol ?? 'tcp'}`).join(', ');
  const rows = services.map((s) => [shortId(s.id), s.spec.name, s.spec.mode ?? 'replicated', replicasCell(s, tasks), s.spec.image ?? `${(s.spec.command ?? []).join(' ')} (exec)`, ports(s)]);
  return table(['ID', 'NAME', 'MODE', 'REPLICAS', 'IMAGE', 'PORTS'], rows);
}

export function tasksTable(tasks: Task[], nodes: NodeInfo[], now: number): string {
  const nodeName = (id?: string) => (id ? (nodes.find((n) => n.id === id)?.name ?? shortId(id)) : '');
  const rows = [...tasks]
    .sort((a, b) => a.serviceName.localeCompare(b.serviceName) || a.slot - b.slot || b.createdAt - a.createdAt)
    .map((t) => [
      shortId(t.id),
      t.slot > 0 ? `${t.serviceName}.${t.slot}` : `${t.serviceName}.${nodeName(t.nodeId) || shortId(t.id)}`,
      t.spec.image ?? (t.spec.command ?? []).join(' '),
      nodeName(t.nodeId),
      t.desiredState,
      `${t.status.state} ${ago(t.status.timestamp, now)}`,
      errorCell(t, now),
    ]);
  return table(['ID', 'NAME', 'IMAGE', 'NODE', 'DESIRED', 'CURRENT', 'ERROR'], rows);
}

/** The task's error or pending reason, and when a wanted ended task restarts (the backoff). */
function errorCell(t: Task, now: number): string {
  const why = t.status.error ?? (t.status.state === 'pending' ? (t.pendingReason ?? '') : '');
  const restart = restartNote(t, now);
  return restart ? (why ? `${why}; ${restart}` : restart) : why;
}

export function nodesTable(nodes: NodeInfo[], leaderId: string | undefined): string {
  const rows = nodes.map((n) => [
    shortId(n.id),
    n.name,
    n.pressure ? `${n.status} (${n.pressure.level} pressure)` : n.status,
    n.availability,
    n.id === leaderId ? 'leader' : n.role,
    `${n.resources.cpuMillis / 1000} cpu, ${formatBytes(n.resources.memoryBytes)}`,
    Object.entries(n.labels).map(([k, v]) => `${k}=${v}`).join(','),
  ]);
  return table(['ID', 'NAME', 'STATUS', 'AVAILABILITY', 'ROLE', 'RESOURCES', 'LABELS'], rows);
}
