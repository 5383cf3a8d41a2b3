/** `task explain`: for each node, whether the task fits there and every reason it does not. */
import type { TaskExplanation } from '@shoal/api/contract';
import { TableHead } from './table-head.js';

export function PlacementExplanation({ explanation }: { explanation: TaskExplanation }) {
  return (
    <div class="placement-explanation">
      <p class="summary">{explanation.summary}</p>
      <table>
        <TableHead caption="Placement node by node" columns={['Node', 'Fits', 'Reasons']} />
        <tbody>
          {explanation.nodes.map((n) => (
            <tr key={n.nodeId} data-node={n.nodeName}>
              <th scope="row">{n.nodeName}</th>
              <td>{n.feasible ? 'yes' : 'no'}</td>
              <td>{n.reasons.length ? n.reasons.join('; ') : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
