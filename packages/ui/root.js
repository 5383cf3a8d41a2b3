// Where the built console lives; the daemon serves this directory at /ui.
import { fileURLToPath } from 'node:url';

export const consoleRoot = fileURLToPath(new URL('./dist/console/', import.meta.url));
