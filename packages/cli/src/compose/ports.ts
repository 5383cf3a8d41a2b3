/**
 * Compose `ports` -> PortSpec. Short syntax "[IP:]PUBLISHED:TARGET[/udp]"
 * publishes in ingress mode (every node answers); the long syntax may say
 * `mode: host` (only nodes running a task). A port without a published side
 * is not published on the nodes: other services reach it through the
 * service's virtual IP on a shared network, as every port of a task.
 */
import type { PortSpec } from '@shoal/types';
import { parsePort } from '../spec-flags.js';
import { fail, isDoc } from './common.js';

export function composePort(value: unknown, where: string, warn: (m: string) => void): PortSpec | undefined {
  if (isDoc(value)) {
    if (value.published === undefined) return void warn(`${where}: port ${String(value.target)} has no published port: not published on the nodes (other services reach it on a shared network)`);
    const mode = value.mode;
    if (mode !== undefined && mode !== 'host' && mode !== 'ingress') throw fail(`${where}.mode: "${String(mode)}" must be ingress or host`);
    if (value.host_ip !== undefined) warn(`${where}: host_ip ${String(value.host_ip)} is ignored; the port is published on every address`);
    const port = parsePort(`${value.published}:${value.target}${value.protocol === 'udp' ? '/udp' : ''}`);
    return mode === undefined ? port : { ...port, mode };
  }
  const text = String(value);
  const short = /^(?:[\d.]+:)?(\d+:\d+(?:\/(?:tcp|udp))?)$/.exec(text);
  if (/^\d+(\/(tcp|udp))?$/.test(text)) return void warn(`${where}: "${text}" has no published port: not published on the nodes (other services reach it on a shared network)`);
  if (!short) return void warn(`${where}: "${text}" is not [IP:]PUBLISHED:TARGET (port ranges are not supported); ignored`);
  if (text.split(':').length === 3) warn(`${where}: host IP in "${text}" is ignored; the port is published on every address`);
  return parsePort(short[1]);
}
