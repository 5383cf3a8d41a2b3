/**
 * Variable interpolation as `docker compose` does it, applied to every
 * string value of the document (never to keys): `$VAR`, `${VAR}`,
 * `${VAR:-default}` (unset or empty), `${VAR-default}` (unset),
 * `${VAR:?error}` / `${VAR?error}` (refuse), `${VAR:+alt}` / `${VAR+alt}`,
 * and `$$` for a literal `$`. Defaults may themselves hold variables.
 * An unset variable without a default becomes "" with a warning, as in Compose.
 */
import { fail, isDoc } from './common.js';

export type Vars = Readonly<Record<string, string | undefined>>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export interface Interpolator {
  (text: string, where: string): string;
}

/** An interpolator over `vars`; each unset variable is reported once through `warn`. */
export function interpolator(vars: Vars, warn: (m: string) => void): Interpolator {
  const reported = new Set<string>();
  const lookup = (name: string, where: string): string => {
    const v = vars[name];
    if (v !== undefined) return v;
    if (!reported.has(name)) {
      reported.add(name);
      warn(`${where}: variable "${name}" is not set; an empty string is used`);
    }
    return '';
  };
  const run = (text: string, where: string): string => {
    let out = '';
    let i = 0;
    while (i < text.length) {
      const c = text[i];
      if (c !== '$') {
        out += c;
        i += 1;
        continue;
      }
      const next = text[i + 1];
      if (next === '$') {
        out += '$';
        i += 2;
      } else if (next === '{') {
        const end = closingBrace(text, i + 2);
        if (end < 0) throw fail(`${where}: "${text}" has an unclosed "\${"`);
        out += braced(text.slice(i + 2, end), where);
        i = end + 1;
      } else {
        const m = NAME.exec(text.slice(i + 1));
        if (m) {
          out += lookup(m[0], where);
          i += 1 + m[0].length;
        } else {
          out += '$';
          i += 1;
        }
      }
    }
    return out;
  };
  const braced = (body: string, where: string): string => {
    const m = NAME.exec(body);
    if (!m) throw fail(`${where}: "\${${body}}" is not a valid interpolation; use \${NAME}, \${NAME:-default} or \${NAME:?error}`);
    const name = m[0];
    const rest = body.slice(name.length);
    if (rest === '') return lookup(name, where);
    const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0];
    if (!op) throw fail(`${where}: "\${${body}}" is not a valid interpolation; use \${NAME}, \${NAME:-default} or \${NAME:?error}`);
    const arg = rest.slice(op.length);
    const value = vars[name];
    const unset = value === undefined;
    const empty = unset || value === '';
    switch (op) {
      case ':-':
        return empty ? run(arg, where) : value!;
      case '-':
        return unset ? run(arg, where) : value;
      case ':?':
      case '?':
        if (op === ':?' ? empty : unset) throw fail(`${where}: required variable ${name} is ${unset ? 'not set' : 'empty'}${arg ? `: ${run(arg, where)}` : ''}`);
        return value!;
      case ':+':
        return empty ? '' : run(arg, where);
      default:
        return unset ? '' : run(arg, where);
    }
  };
  return run;
}

/** Index of the `}` closing a `${` whose body starts at `from` (nested `${...}` allowed); -1 if none. */
function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '{') {
      depth += 1;
      i += 1;
    } else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** Interpolates every string value of a parsed document; `where` paths name the place in errors. */
export function interpolateDoc(value: unknown, interpolate: Interpolator, where = ''): unknown {
  if (typeof value === 'string') return interpolate(value, where || '(document)');
  if (Array.isArray(value)) return value.map((v, i) => interpolateDoc(v, interpolate, `${where}[${i}]`));
  if (isDoc(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDoc(v, interpolate, where ? `${where}.${k}` : k)]));
  return value;
}
