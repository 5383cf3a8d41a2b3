// A steady HTTP client for e2e and benchmarks: one new TCP connection per
// request (no keep-alive, so every request is balanced anew and a stopped
// backend cannot hold a pooled connection), a fixed rate, every outcome kept.
import http from 'node:http';

export function get(host, port, path = '/', timeoutMs = 3000) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const req = http.get({ host, port, path, agent: false, timeout: timeoutMs, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ ok: res.statusCode === 200, status: res.statusCode, body, at: t0, ms: Date.now() - t0 }));
      res.on('error', (err) => resolve({ ok: false, error: err.message, at: t0, ms: Date.now() - t0 }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ ok: false, error: err.message, at: t0, ms: Date.now() - t0 }));
  });
}

/** Sends `rate` requests per second round-robin over `targets` ([host, port]) until stop(); returns every result. */
export function steadyLoad(targets, rate) {
  const results = [];
  const pending = new Set();
  let n = 0;
  const timer = setInterval(() => {
    const [host, port] = targets[n++ % targets.length];
    const p = get(host, port).then((r) => results.push({ ...r, target: `${host}:${port}` }));
    pending.add(p);
    void p.finally(() => pending.delete(p));
  }, 1000 / rate);
  return {
    results,
    async stop() {
      clearInterval(timer);
      await Promise.all([...pending]);
      return results;
    },
  };
}
