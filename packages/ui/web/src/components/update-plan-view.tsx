/** The dry-run plan of an update: what changes, how many tasks are replaced, added, removed. */
import type { UpdatePlan } from '@shoal/api/contract';
import { valueText } from '../format.js';

export function UpdatePlanView({ plan }: { plan: UpdatePlan }) {
  return (
    <div class="update-plan" aria-label="update plan">
      <p>
        Version {plan.currentVersion} → {plan.nextVersion}: {plan.replace} task(s) replaced, {plan.create} created, {plan.remove} removed.
      </p>
      {plan.changes.length > 0 ? (
        <ul>
          {plan.changes.map((c) => (
            <li key={c.path}>
              <code>{c.path}</code>: <code>{valueText(c.from ?? '(none)')}</code> → <code>{valueText(c.to ?? '(none)')}</code>
            </li>
          ))}
        </ul>
      ) : (
        <p>No field changes.</p>
      )}
      {plan.notes.length > 0 && (
        <ul class="muted">
          {plan.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
