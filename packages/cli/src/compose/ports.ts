/** Compose `ports` (short "8080:80" and long {target, published}) -> PortSpec. */
import type { PortSpec } from '@shoal/types';
import { parsePort } from '../spec-flags.js';
import { isDoc } from './common.js';

export function composePort(value: unknown, where: string, warn: (m: string) => void): PortSpec | undefined {
  if (isDoc(value)) {
    if (value.published === undefined) return void warn(`${where}: a port without "published" is not exposed on nodes; ignored`);
    if (value.mode !== undefined && value.mode !== 'host') warn(`${where}: mode ${String(value.mode)} is not supported; published in host mode`);
    return parsePort(`${value.published}:${value.target}${value.protocol === 'udp' ? '/udp' : ''}`);
  }
  const text = String(value);
  const short = /^(?:[\d.]+:)?(\d+:\d+(?:\/(?:tcp|udp))?)$/.exec(text);
  if (!short) return void warn(`${where}: "${text}" is not PUBLISHED:TARGET; ignored`);
  if (text.split(':').length === 3) warn(`${where}: host IP in "${text}" is ignored`);
  return parsePort(short[1]);
}
