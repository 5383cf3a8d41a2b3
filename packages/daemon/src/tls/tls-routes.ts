/** `GET /v1/cluster/ca`: the cluster CA certificate, for `shoal context add --ca` (a public certificate, but behind the token like every route). */
import type { Api } from '@shoal/api';
import { ErrorCode, ShoalError } from '@shoal/types';
import type { ApiTlsFiles } from './api-tls.js';

export function registerTlsRoutes(app: Api, files: ApiTlsFiles): void {
  app.get('/v1/cluster/ca', async () => {
    const ca = files.caCert();
    if (!ca) throw new ShoalError(ErrorCode.NotFound, 'this node has no cluster CA certificate yet (it is in no cluster, or the cluster predates TLS)');
    return { ca };
  });
}
