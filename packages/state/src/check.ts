/**
 * A small structural checker for untrusted command JSON: collects the first
 * problems with their paths, so a malformed entry is rejected with a reason
 * instead of corrupting the state.
 */
export class Checker {
  readonly problems: string[] = [];
  /** Specs already found valid in this message: a batch usually repeats one spec many times. */
  readonly validSpecs = new Set<string>();

  fail(path: string, what: string): false {
    if (this.problems.length < 20) this.problems.push(`${path}: ${what}`);
    return false;
  }

  object(v: unknown, path: string): v is Record<string, unknown> {
    return (typeof v === 'object' && v !== null && !Array.isArray(v)) || this.fail(path, 'expected an object');
  }

  string(v: unknown, path: string, max = 4096): v is string {
    if (typeof v !== 'string') return this.fail(path, 'expected a string');
    return v.length <= max || this.fail(path, `longer than ${max} characters`);
  }

  id(v: unknown, path: string): v is string {
    if (!this.string(v, path, 256)) return false;
    return v.length > 0 || this.fail(path, 'empty');
  }

  number(v: unknown, path: string, min = -Infinity, integer = false): v is number {
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.fail(path, 'expected a finite number');
    if (integer && !Number.isInteger(v)) return this.fail(path, 'expected an integer');
    return v >= min || this.fail(path, `below ${min}`);
  }

  boolean(v: unknown, path: string): v is boolean {
    return typeof v === 'boolean' || this.fail(path, 'expected true or false');
  }

  oneOf<T extends string>(v: unknown, options: readonly T[], path: string): v is T {
    return (typeof v === 'string' && (options as readonly string[]).includes(v)) || this.fail(path, `expected one of ${options.join(', ')}`);
  }

  array(v: unknown, path: string, max: number): v is unknown[] {
    if (!Array.isArray(v)) return this.fail(path, 'expected a list');
    return v.length <= max || this.fail(path, `more than ${max} entries`);
  }

  stringList(v: unknown, path: string, max: number): v is string[] {
    if (!this.array(v, path, max)) return false;
    return v.every((s, i) => this.string(s, `${path}[${i}]`));
  }

  stringMap(v: unknown, path: string, max = 1024): v is Record<string, string> {
    if (!this.object(v, path)) return false;
    const entries = Object.entries(v);
    if (entries.length > max) return this.fail(path, `more than ${max} entries`);
    return entries.every(([k, s]) => this.string(s, `${path}.${k}`));
  }

  optional(v: unknown, check: () => boolean): boolean {
    return v === undefined || check();
  }
}
