// Fails when imports form a cycle, between files or between packages.
// Files: madge over every package's sources, tests and launchers, and bench/.
// Packages: the same import graph with each file replaced by its package
// (`packages/<name>/…` -> <name>), so that a package cycle that no single
// chain of files closes (cli's launcher loading the daemon, whose commands
// import the CLI) is caught too.
import madge from 'madge';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const pkgs = readdirSync('packages').filter((p) => existsSync(`packages/${p}/package.json`));
const roots = pkgs.flatMap((p) => ['src', 'test', 'bin'].map((d) => `packages/${p}/${d}`)).filter((d) => existsSync(d));
if (existsSync('packages/bin/shoal.js')) roots.push('packages/bin/shoal.js');
roots.push('bench', 'test');

// Resolve @shoal/<pkg>[/<subpath>] to the sources behind each package's
// `exports` (dist/src/x.d.ts -> src/x.ts), so no build is needed and a
// chain of files that crosses packages is followed file by file.
const paths = {};
for (const p of pkgs) {
  const { name, exports = {} } = JSON.parse(readFileSync(`packages/${p}/package.json`, 'utf8'));
  for (const [sub, target] of Object.entries(exports)) {
    const types = typeof target === 'string' ? target : target.types;
    if (!types) continue;
    paths[sub === '.' ? name : `${name}/${sub.slice(2)}`] = [`packages/${p}/${types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts')}`];
  }
}
const base = JSON.parse(readFileSync('tsconfig.base.json', 'utf8'));
const opts = {
  baseDir: '.',
  fileExtensions: ['ts', 'js', 'mjs'],
  // allowJs: launchers (bin/*.js) resolve @shoal/* the same way.
  tsConfig: { compilerOptions: { ...base.compilerOptions, allowJs: true, baseUrl: '.', paths } },
};
const files = await madge(roots, opts);
const fileCycles = files.circular();

// A package's tests are a consumer of their own: `ui`'s browser test may
// start real agents through `daemon`, which serves `ui`, without making the
// two packages depend on each other. So tests are their own node, `<pkg>:test`.
const packageOf = (file) => {
  const m = /^packages\/([^/]+)\/(test\/)?/.exec(file);
  if (m) return m[2] ? `${m[1]}:test` : m[1];
  return file.split('/')[0];
};
const tree = {};
for (const [file, deps] of Object.entries(files.obj())) {
  const from = packageOf(file);
  tree[from] ??= [];
  for (const dep of deps) {
    const to = packageOf(dep);
    if (to !== from && !tree[from].includes(to)) tree[from].push(to);
  }
}
const packageCycles = (await madge(tree)).circular();

const show = (cycles) => cycles.map((c, i) => `  ${i + 1}) ${c.join(' > ')}`).join('\n');
console.log(`check-cycles: ${Object.keys(files.obj()).length} files in ${Object.keys(tree).length} packages`);
if (fileCycles.length > 0) console.error(`file cycles:\n${show(fileCycles)}`);
if (packageCycles.length > 0) console.error(`package cycles:\n${show(packageCycles)}`);
if (process.argv.includes('--verbose')) for (const [p, deps] of Object.entries(tree)) console.log(`  ${p} -> ${deps.sort().join(', ')}`);
// The same graph shows whether every package's tests use the shared test kit
// (one seeded generator, one poller, one set of fixtures). `types` cannot:
// the kit is built on it; `testkit` tests itself.
const kitless = Object.keys(tree).filter((n) => n.endsWith(':test') && !['types:test', 'testkit:test'].includes(n) && !tree[n].includes('testkit'));
if (kitless.length > 0) console.error(`tests that do not use @shoal/testkit: ${kitless.map((n) => n.slice(0, -':test'.length)).join(', ')}`);
if (fileCycles.length + packageCycles.length + kitless.length > 0) process.exit(1);
console.log('check-cycles: no cycle between files, none between packages; every package\'s tests use the test kit');
