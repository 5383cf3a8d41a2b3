import { useState } from 'preact/hooks';
import { useSnapshot } from '../use-store.js';
import { useMayChange } from '../role.js';
import { ServiceTable } from '../components/service-table.js';
import { NewServiceForm } from '../components/new-service-form.js';

export function ServicesPage() {
  const snap = useSnapshot();
  const mayCreate = useMayChange('services');
  const [creating, setCreating] = useState(false);
  return (
    <>
      <h1>Services</h1>
      {mayCreate && (
        <button type="button" aria-expanded={creating} onClick={() => setCreating(!creating)}>
          {creating ? 'Close the form' : 'New service'}
        </button>
      )}
      {creating && <NewServiceForm onCreated={(name) => (location.hash = `#/services/${encodeURIComponent(name)}`)} />}
      <ServiceTable snap={snap} />
    </>
  );
}
