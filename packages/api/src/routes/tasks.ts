import type { Backend } from '../backend.js';
import { TaskParams, TasksQuery } from '../schemas.js';
import type { Api } from './app.js';

const tags = ['tasks'];

export function taskRoutes(api: Api, backend: Backend): void {
  api.get('/v1/tasks', { schema: { tags, summary: 'List tasks, optionally of one service or node', querystring: TasksQuery } }, async (request) =>
    backend.listTasks(request.query),
  );

  api.get('/v1/tasks/:id/explain', { schema: { tags, summary: 'Why a task is placed where it is, or why it is pending', params: TaskParams } }, async (request) =>
    backend.explainTask(request.params.id),
  );

  api.get('/v1/tasks/:id', { schema: { tags, summary: 'Inspect a task (id or unique prefix)', params: TaskParams } }, async (request) => backend.getTask(request.params.id));

  api.post(
    '/v1/tasks/:id/stop',
    { schema: { tags, summary: 'Stop a task; its service starts a replacement if it still wants the slot', params: TaskParams } },
    async (request) => backend.requestTaskStop(request.params.id),
  );

  api.post(
    '/v1/tasks/:id/restart',
    { schema: { tags, summary: 'Restart a task in place: stop it and start a copy on the same node; returns the new task', params: TaskParams } },
    async (request) => backend.restartTask(request.params.id),
  );
}
