/** Set a replicated service's replica count, after confirmation. */
import type { Service } from '@shoal/types';
import { useId, useState } from 'preact/hooks';
import { useStore } from '../use-store.js';
import { ConfirmAction } from './confirm-action.js';

export function ScaleAction({ service }: { service: Service }) {
  const store = useStore();
  const current = service.spec.replicas ?? 1;
  const [replicas, setReplicas] = useState(String(current));
  const inputId = useId();
  if (service.spec.mode === 'global') return <p class="muted">A global service runs one task per node; it cannot be scaled.</p>;
  const n = Number(replicas);
  const valid = Number.isInteger(n) && n >= 0 && n <= 100000;
  return (
    <div class="action-row">
      <label for={inputId}>Replicas</label>
      <input id={inputId} type="number" min={0} max={100000} value={replicas} onInput={(e) => setReplicas((e.target as HTMLInputElement).value)} />
      <ConfirmAction changes="services"
        label="Scale"
        title={`Scale ${service.spec.name}?`}
        disabled={!valid || n === current}
        run={async () => {
          const s = await store.client.scaleService(service.spec.name, n);
          store.reloadSoon();
          return `${s.spec.name} scaled to ${s.spec.replicas} (version ${s.version})`;
        }}
      >
        <p>
          {service.spec.name} goes from {current} to {n} replica{n === 1 ? '' : 's'}: {n > current ? `${n - current} task(s) will be created` : `${current - n} task(s) will be stopped`}.
        </p>
      </ConfirmAction>
    </div>
  );
}
