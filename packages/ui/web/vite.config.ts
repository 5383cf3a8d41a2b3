// Builds the console into ../dist/console, served by every agent at /ui/.
// No runtime network access: everything is bundled, nothing from a CDN.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/ui/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // The agent's content security policy allows only its own scripts: no inline polyfill.
    modulePreload: { polyfill: false },
    target: 'es2022',
  },
});
