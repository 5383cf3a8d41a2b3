/**
 * Change what a service runs (the image, or the command for the exec
 * driver). The dry-run plan of the API is fetched first and shown in the
 * confirmation; only "Confirm" commits the update.
 */
import type { UpdatePlan } from '@shoal/api/contract';
import { formatSpecIssues, specIssues, type Service, type ServiceSpec } from '@shoal/types';
import { useId, useState } from 'preact/hooks';
import { useStore } from '../use-store.js';
import { commandText, commandWords } from '../command-words.js';
import { ConfirmAction } from './confirm-action.js';
import { UpdatePlanView } from './update-plan-view.js';

export function UpdateAction({ service }: { service: Service }) {
  const store = useStore();
  const byImage = service.spec.driver !== 'exec';
  const initial = byImage ? (service.spec.image ?? '') : commandText(service.spec.command ?? []);
  const [value, setValue] = useState(initial);
  const [plan, setPlan] = useState<UpdatePlan | null>(null);
  const inputId = useId();

  const nextSpec = (): ServiceSpec => {
    const spec = structuredClone(service.spec);
    if (byImage) spec.image = value.trim();
    else spec.command = commandWords(value);
    return spec;
  };

  return (
    <div class="action-row">
      <label for={inputId}>{byImage ? 'Image' : 'Command'}</label>
      <input id={inputId} type="text" size={32} value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
      <ConfirmAction changes="services"
        label="Update"
        title={`Update ${service.spec.name}?`}
        disabled={value.trim() === '' || value.trim() === initial}
        prepare={async () => {
          const spec = nextSpec();
          const issues = specIssues(spec);
          if (issues.length) return formatSpecIssues(issues);
          setPlan(await store.client.planServiceUpdate(service.spec.name, spec));
          return null;
        }}
        run={async () => {
          const s = await store.client.updateService(service.spec.name, nextSpec());
          store.reloadSoon();
          return `${s.spec.name} updating to version ${s.version}`;
        }}
      >
        {plan ? <UpdatePlanView plan={plan} /> : <p>Reading the plan…</p>}
      </ConfirmAction>
    </div>
  );
}
