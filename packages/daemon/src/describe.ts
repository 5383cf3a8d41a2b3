/** One line per committed command, for `shoal events`. */
import type { ClusterEvent } from '@shoal/api';
import type { ClusterView, Command, CommandResult } from '@shoal/state';

export function describeCommand(cmd: Command, index: number, result: CommandResult, state: ClusterView): ClusterEvent {
  const nodeName = (id: string) => state.node(id)?.name ?? id.slice(-8);
  const svcName = (id: string) => state.service(id)?.spec.name ?? id;
  // Tasks are named as people know them, web.2, not by id; the subject is the service(s).
  const taskName = (id: string) => {
    const t = state.task(id);
    return t ? `${t.serviceName}.${t.slot}` : id.slice(0, 9);
  };
  const servicesOf = (ids: string[]) => {
    const names = [...new Set(ids.map((id) => state.task(id)?.serviceName).filter((n): n is string => n !== undefined))];
    return names.length === 0 ? `${ids.length} task(s)` : names.length <= 3 ? names.join(',') : `${names.length} services`;
  };
  let subject = '';
  let summary = '';
  switch (cmd.type) {
    case 'node.register':
      subject = cmd.node.name;
      summary = `node ${cmd.node.name} joined as ${cmd.node.role ?? 'learner'}`;
      break;
    case 'node.update':
    case 'node.remove':
    case 'node.up':
      subject = nodeName(cmd.nodeId);
      summary = `node ${subject} ${cmd.type === 'node.up' ? 'is back up' : cmd.type === 'node.remove' ? 'removed' : 'updated'}`;
      break;
    case 'node.down':
      subject = nodeName(cmd.nodeId);
      summary = `node ${subject} is down${cmd.message ? `: ${cmd.message}` : ''}`;
      break;
    case 'node.labels':
      subject = nodeName(cmd.nodeId);
      summary = `node ${subject} labels: ${[...Object.entries(cmd.set).map(([k, v]) => `+${k}=${v}`), ...cmd.remove.map((k) => `-${k}`)].join(' ')}`;
      break;
    case 'node.availability':
      subject = nodeName(cmd.nodeId);
      summary = `node ${subject} availability ${cmd.availability}${cmd.deadlineMs !== undefined ? ` (deadline ${Math.round(cmd.deadlineMs / 1000)} s)` : ''}`;
      break;
    case 'node.role':
      subject = nodeName(cmd.nodeId);
      summary = `node ${subject} is now a ${cmd.role}`;
      break;
    case 'service.create':
      subject = cmd.spec.name;
      summary = `service ${subject} created`;
      break;
    case 'service.update':
    case 'service.rollback':
    case 'service.remove':
      subject = svcName(cmd.serviceId);
      summary = `service ${subject} ${cmd.type.slice('service.'.length)}`;
      break;
    case 'service.scale':
      subject = svcName(cmd.serviceId);
      summary = `service ${subject} scaled to ${cmd.replicas}`;
      break;
    case 'service.promote':
      subject = svcName(cmd.serviceId);
      summary = `service ${subject} canaries promoted`;
      break;
    case 'service.jobRun':
      subject = svcName(cmd.serviceId);
      summary = `job ${subject} run ${cmd.iteration} started by its schedule`;
      break;
    case 'service.updateStatus':
      subject = svcName(cmd.serviceId);
      summary = `service ${subject} update ${cmd.status.state}: ${cmd.status.message}`;
      break;
    case 'task.create':
      subject = cmd.tasks[0]?.serviceName ?? '';
      summary = `${cmd.tasks.length} task(s) created`;
      break;
    case 'task.assign':
      subject = servicesOf([...cmd.assignments.map((a) => a.taskId), ...(cmd.pending ?? []).map((p) => p.taskId)]);
      summary = `${cmd.assignments.map((a) => `${taskName(a.taskId)} -> ${nodeName(a.nodeId)}`).join(', ') || 'none assigned'}${cmd.pending?.length ? `, ${cmd.pending.length} pending: ${cmd.pending[0].reason}` : ''}`;
      break;
    case 'task.status':
      subject = servicesOf(cmd.updates.map((u) => u.taskId));
      summary = cmd.updates.map((u) => `${taskName(u.taskId)} ${u.status.state}${u.status.error ? ` (${u.status.error})` : ''}`).join(', ');
      break;
    case 'task.desired':
      subject = servicesOf(cmd.changes.map((c) => c.taskId));
      summary = cmd.changes.map((c) => `${taskName(c.taskId)} -> ${c.desiredState}${c.message ? ` (${c.message})` : ''}`).join(', ');
      break;
    case 'task.restart':
      subject = state.task(cmd.taskId)?.serviceName ?? cmd.taskId.slice(0, 9);
      summary = `${taskName(cmd.taskId)} restarted in place as ${cmd.newTaskId.slice(0, 9)}${cmd.message ? ` (${cmd.message})` : ''}`;
      break;
    case 'task.remove':
      subject = `${cmd.taskIds.length} task(s)`;
      summary = `${cmd.taskIds.length} task(s) removed from history`;
      break;
    case 'cluster.config':
      subject = 'cluster';
      summary = `cluster settings: ${Object.entries(cmd.config).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ')}`;
      break;
    case 'apitoken.create':
      subject = cmd.name;
      summary = `API token ${cmd.name} created (role ${cmd.role})`;
      break;
    case 'apitoken.revoke':
      subject = cmd.tokenId;
      summary = `API token ${cmd.tokenId} revoked`;
      break;
    case 'nodetoken.set':
      subject = nodeName(cmd.nodeId);
      summary = `node ${subject} registered its API token`;
      break;
    default:
      subject = 'cluster';
      summary = cmd.type;
  }
  if (cmd.by) summary += ` (by ${cmd.by})`;
  if (!result.ok) summary += ` [refused: ${result.error.message}]`;
  return { index, type: cmd.type, at: cmd.at, subject, summary: summary.length > 500 ? summary.slice(0, 497) + '...' : summary };
}
