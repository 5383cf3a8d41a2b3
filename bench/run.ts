// `npm run bench -- NAME [args]`: runs bench/NAME.ts (compiled), which prints a
// table and writes bench/results/NAME.json.
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [name, ...args] = process.argv.slice(2);
const available = readdirSync(here)
  .filter((f) => f.endsWith('.js') && !['run.js', 'util.js'].includes(f))
  .map((f) => f.slice(0, -3));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|')}> [args]`);
  process.exit(2);
}
const mod = (await import(`./${name}.js`)) as { main: (args: string[]) => Promise<void> };
await mod.main(args);
