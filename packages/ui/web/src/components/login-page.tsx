/** Asks for the node's API token and checks it against the API before keeping it (in sessionStorage only). */
import { useState } from 'preact/hooks';
import { clientFor, saveToken } from '../session.js';

export function LoginPage({ onLogin, reason }: { onLogin: (token: string) => void; reason?: string }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(reason ?? null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await clientFor(token.trim()).clusterStatus();
      saveToken(token.trim());
      onLogin(token.trim());
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form onSubmit={(e) => void submit(e)} aria-label="log in">
        <h1>shoal console</h1>
        <p>
          Paste the API token of this node: <code>&lt;data-dir&gt;/api.token</code>. It is kept in this tab only and forgotten when the tab closes.
        </p>
        <label for="token">API token</label>
        <input id="token" type="password" autocomplete="off" required value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} />
        {error && <p role="alert" class="error-text">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Checking…' : 'Log in'}</button>
      </form>
    </main>
  );
}
