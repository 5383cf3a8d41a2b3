/**
 * Create a service: the few fields a first service needs. The spec is
 * checked with the same validator the API uses before it is sent, and the
 * API's answer (or error) is shown as is.
 */
import { formatSpecIssues, specIssues, type ServiceSpec } from '@shoal/types';
import { useState } from 'preact/hooks';
import { useMayChange } from '../role.js';
import { useStore } from '../use-store.js';
import { commandWords } from '../command-words.js';

export function NewServiceForm({ onCreated }: { onCreated: (name: string) => void }) {
  const store = useStore();
  const allowed = useMayChange('services');
  const [name, setName] = useState('');
  const [driver, setDriver] = useState<'docker' | 'exec'>('docker');
  const [image, setImage] = useState('');
  const [command, setCommand] = useState('');
  const [replicas, setReplicas] = useState('1');
  const [ports, setPorts] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!allowed) return null;

  const spec = (): ServiceSpec => {
    const s: ServiceSpec = { name: name.trim(), driver, replicas: Number(replicas) };
    if (image.trim()) s.image = image.trim();
    const cmd = commandWords(command);
    if (cmd.length) s.command = cmd;
    const published = ports.split(',').map((p) => p.trim()).filter(Boolean);
    if (published.length) {
      // "8080:80", "8080:80/udp", "9000:9000/host" (bound on the task's node only, not the routing mesh).
      s.ports = published.map((p) => {
        const [pair = '', ...flags] = p.split('/');
        const [pub, target] = pair.split(':');
        const port: NonNullable<ServiceSpec['ports']>[number] = { published: Number(pub), target: Number(target ?? pub) };
        for (const f of flags) {
          if (f === 'host' || f === 'ingress') port.mode = f;
          else if (f === 'tcp' || f === 'udp') port.protocol = f;
        }
        return port;
      });
    }
    return s;
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const s = spec();
    const issues = specIssues(s);
    if (issues.length) return setError(formatSpecIssues(issues));
    setBusy(true);
    try {
      const created = await store.client.createService(s);
      store.reloadSoon();
      onCreated(created.spec.name);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="new-service" onSubmit={(e) => void submit(e)} aria-label="new service">
      <h2>New service</h2>
      <div class="field">
        <label for="svc-name">Name</label>
        <input id="svc-name" required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} pattern="[a-z0-9][a-z0-9_.\-]{0,62}" />
      </div>
      <div class="field">
        <label for="svc-driver">Driver</label>
        <select id="svc-driver" value={driver} onChange={(e) => setDriver((e.target as HTMLSelectElement).value as 'docker' | 'exec')}>
          <option value="docker">docker (containers)</option>
          <option value="exec">exec (plain processes)</option>
        </select>
      </div>
      <div class="field">
        <label for="svc-image">Image{driver === 'exec' ? ' (not used by exec)' : ''}</label>
        <input id="svc-image" value={image} onInput={(e) => setImage((e.target as HTMLInputElement).value)} placeholder="nginx:1.27" />
      </div>
      <div class="field">
        <label for="svc-command">Command</label>
        <input id="svc-command" value={command} onInput={(e) => setCommand((e.target as HTMLInputElement).value)} placeholder="sleep 100000" aria-describedby="svc-command-help" />
        <small id="svc-command-help">Words separated by spaces; quote a word that holds spaces. For exec: the program and its arguments.</small>
      </div>
      <div class="field">
        <label for="svc-replicas">Replicas</label>
        <input id="svc-replicas" type="number" min={0} value={replicas} onInput={(e) => setReplicas((e.target as HTMLInputElement).value)} />
      </div>
      <div class="field">
        <label for="svc-ports">Published ports</label>
        <input id="svc-ports" value={ports} onInput={(e) => setPorts((e.target as HTMLInputElement).value)} placeholder="8080:80, 8443:443/udp, 9000:9000/host" />
      </div>
      {error && <pre role="alert" class="error-text">{error}</pre>}
      <button type="submit" class="primary" disabled={busy}>{busy ? 'Creating…' : 'Create service'}</button>
    </form>
  );
}
