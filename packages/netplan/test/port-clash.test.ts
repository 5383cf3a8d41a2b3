import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceSpec } from '@shoal/types';
import { publishedPortClash } from '../src/port-clash.js';

const svc = (name: string, ports: ServiceSpec['ports']): { spec: ServiceSpec } => ({ spec: { name, image: 'x', ports } as ServiceSpec });

describe('published ports across services', () => {
  const web = svc('web', [{ published: 8080, target: 80 }]);
  const edge = svc('edge', [{ published: 9000, target: 80, mode: 'host' }]);

  it('refuses a second ingress port and names the service that holds it', () => {
    const msg = publishedPortClash(svc('api', [{ published: 8080, target: 3000 }]).spec, [web, edge]);
    assert.match(msg ?? '', /8080\/tcp is already published by service web/);
  });

  it('refuses a host-mode port that an ingress port holds, and the other way round', () => {
    assert.ok(publishedPortClash(svc('api', [{ published: 8080, target: 1, mode: 'host' }]).spec, [web]));
    assert.ok(publishedPortClash(svc('api', [{ published: 9000, target: 1 }]).spec, [edge]));
  });

  it('allows host-mode ports on the same number (a per-node matter for the scheduler), other protocols, and the service itself', () => {
    assert.equal(publishedPortClash(svc('api', [{ published: 9000, target: 1, mode: 'host' }]).spec, [edge]), null);
    assert.equal(publishedPortClash(svc('dns', [{ published: 8080, target: 53, protocol: 'udp' }]).spec, [web]), null);
    assert.equal(publishedPortClash(svc('web', [{ published: 8080, target: 8080 }]).spec, [web]), null, 'an update of web keeps its own port');
    assert.equal(publishedPortClash(svc('worker', undefined).spec, [web]), null);
  });
});
