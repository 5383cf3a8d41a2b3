/** Drain a node (its tasks move elsewhere) or make it active again. */
import type { NodeInfo } from '@shoal/types';
import { useStore } from '../use-store.js';
import { ConfirmAction } from './confirm-action.js';

export function AvailabilityAction({ node }: { node: NodeInfo }) {
  const store = useStore();
  if (node.availability === 'drain') {
    return (
      <ConfirmAction changes="nodes" label={`Activate ${node.name}`} title={`Activate node ${node.name}?`} run={async () => {
        await store.client.setNodeAvailability(node.id, 'active');
        store.reloadSoon();
        return `${node.name} is active: new tasks may be placed on it`;
      }}>
        <p>The scheduler may place tasks on {node.name} again. Running tasks elsewhere are not moved back.</p>
      </ConfirmAction>
    );
  }
  return (
    <ConfirmAction changes="nodes" danger label={`Drain ${node.name}`} title={`Drain node ${node.name}?`} run={async () => {
      await store.client.setNodeAvailability(node.id, 'drain');
      store.reloadSoon();
      return `${node.name} is draining: its tasks are being moved`;
    }}>
      <p>Every task on {node.name} is stopped and replaced on other nodes, and no new task is placed on it until it is activated.</p>
    </ConfirmAction>
  );
}
