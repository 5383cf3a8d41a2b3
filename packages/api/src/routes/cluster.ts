import type { Backend } from '../backend.js';
import { streamResponse } from '../stream.js';
import type { Api } from './app.js';

const tags = ['cluster'];

export function clusterRoutes(api: Api, backend: Backend): void {
  api.get('/v1/cluster', { schema: { tags, summary: 'Leader, term, commit and applied index, voters and learners' } }, async () => backend.clusterStatus());

  api.get('/v1/cluster/token', { schema: { tags, summary: 'The current join token' } }, async () => backend.showToken());

  api.post('/v1/cluster/token/rotate', { schema: { tags, summary: 'Replace the join token; the old one stops working' } }, async () => backend.rotateToken());

  api.get('/v1/events', { schema: { tags, summary: 'Committed changes as server-sent events (data: {index, type, at, subject, summary})' } }, async (request, reply) => {
    await streamResponse(request, reply, 'sse', (signal) => backend.events(signal), (event) => event.index);
  });
}
