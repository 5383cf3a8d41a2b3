import type { VolumesBackend } from '../volumes-backend.js';
import type { Api } from './app.js';

export function volumeRoutes(api: Api, backend: VolumesBackend): void {
  api.get('/v1/volumes', { schema: { tags: ['volumes'], summary: 'Named volumes per node, with the services and tasks that use them' } }, async () => backend.listVolumes());
}
