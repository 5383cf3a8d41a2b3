/** Go back to the service's previous spec, after confirmation. */
import type { Service } from '@shoal/types';
import { useStore } from '../use-store.js';
import { ConfirmAction } from './confirm-action.js';
import { whatRuns } from './service-table.js';

export function RollbackAction({ service }: { service: Service }) {
  const store = useStore();
  const prev = service.previousSpec;
  return (
    <ConfirmAction changes="services"
      danger
      label="Roll back"
      title={`Roll back ${service.spec.name}?`}
      disabled={!prev}
      run={async () => {
        const s = await store.client.rollbackService(service.spec.name);
        store.reloadSoon();
        return `${s.spec.name} rolling back to its previous spec (version ${s.version})`;
      }}
    >
      {prev ? (
        <p>
          Tasks running <code>{whatRuns(service)}</code> are replaced by tasks of the previous spec, <code>{prev.image ?? (prev.command ?? []).join(' ')}</code>, with the service's rollback settings.
        </p>
      ) : (
        <p>This service has no previous spec.</p>
      )}
    </ConfirmAction>
  );
}
