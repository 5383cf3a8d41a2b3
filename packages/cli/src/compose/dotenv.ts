/**
 * `.env` and `env_file` files, in the format `docker compose` reads:
 * `KEY=VALUE` lines, `export KEY=VALUE`, `#` comments, 'single-quoted'
 * values taken literally, "double-quoted" values with \n \t \" \\ escapes,
 * and ` #` starting a comment after an unquoted value. Unquoted and
 * double-quoted values are interpolated against `vars` and the lines above.
 */
import { fail } from './common.js';
import { interpolator, type Vars } from './interpolate.js';

export function parseDotenv(text: string, file: string, vars: Vars, warn: (m: string) => void): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  const interpolate = interpolator(new Proxy({}, { get: (_t, k: string) => out[k] ?? vars[k] }), warn);
  lines.forEach((raw, n) => {
    const where = `${file}:${n + 1}`;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:=\s*(.*))?$/.exec(line);
    if (!m) throw fail(`${where}: "${line}" is not KEY=VALUE`);
    const [, key, rest] = m;
    if (rest === undefined) {
      // A bare KEY passes the variable through from the environment, when set.
      if (vars[key] !== undefined) out[key] = vars[key]!;
      return;
    }
    out[key] = value(rest, where, interpolate);
  });
  return out;
}

function value(rest: string, where: string, interpolate: (t: string, w: string) => string): string {
  if (rest.startsWith("'")) {
    const end = rest.indexOf("'", 1);
    if (end < 0) throw fail(`${where}: unclosed single quote`);
    return rest.slice(1, end);
  }
  if (rest.startsWith('"')) {
    let i = 1;
    let s = '';
    for (; i < rest.length && rest[i] !== '"'; i++) {
      if (rest[i] === '\\' && i + 1 < rest.length) {
        const e = rest[++i];
        s += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
      } else s += rest[i];
    }
    if (i >= rest.length) throw fail(`${where}: unclosed double quote`);
    return interpolate(s, where);
  }
  const hash = rest.search(/\s#/);
  return interpolate((hash < 0 ? rest : rest.slice(0, hash)).trim(), where);
}
