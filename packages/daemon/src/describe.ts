/** One line per committed command, for `shoal events`. */
import type { ClusterEvent } from '@shoal/api';
import type { ClusterView, Command, CommandResult } from '@shoal/state';

export function describeCommand(cmd: Command, index: number, result: CommandResult, state: ClusterView): ClusterEvent {
  const nodeName = (id: string) => state.node(id)?.name ?? id.slice(-8);
  const svcName = (id: string) => state.service(id)?.spec.name ?? id;
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
    case 'node.availability':
      subject = nodeName(cmd.nodeId);
      summary = `node ${subject} availability ${cmd.availability}`;
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
    case 'service.updateStatus':
      subject = svcName(cmd.serviceId);
      summary = `service ${subject} update ${cmd.status.state}: ${cmd.status.message}`;
      break;
    case 'task.create':
      subject = cmd.tasks[0]?.serviceName ?? '';
      summary = `${cmd.tasks.length} task(s) created`;
      break;
    case 'task.assign':
      subject = `${cmd.assignments.length} task(s)`;
      summary = `${cmd.assignments.length} assigned${cmd.pending?.length ? `, ${cmd.pending.length} pending: ${cmd.pending[0].reason}` : ''}`;
      break;
    case 'task.status':
      subject = cmd.updates.length === 1 ? cmd.updates[0].taskId : `${cmd.updates.length} task(s)`;
      summary = cmd.updates.map((u) => `${u.taskId.slice(0, 9)} ${u.status.state}${u.status.error ? ` (${u.status.error})` : ''}`).join(', ');
      break;
    case 'task.desired':
      subject = `${cmd.changes.length} task(s)`;
      summary = cmd.changes.map((c) => `${c.taskId.slice(0, 9)} -> ${c.desiredState}${c.message ? ` (${c.message})` : ''}`).join(', ');
      break;
    case 'task.remove':
      subject = `${cmd.taskIds.length} task(s)`;
      summary = `${cmd.taskIds.length} task(s) removed from history`;
      break;
    default:
      subject = 'cluster';
      summary = cmd.type;
  }
  if (!result.ok) summary += ` [refused: ${result.error.message}]`;
  return { index, type: cmd.type, at: cmd.at, subject, summary: summary.length > 500 ? summary.slice(0, 497) + '...' : summary };
}
