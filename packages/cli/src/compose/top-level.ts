/**
 * Top-level sections of a Compose file besides `services`. Each section
 * shoal understands has a mapper here; any other is reported as a warning.
 */
import { fail, type ComposeContext } from './common.js';
import { topLevelNetworks } from './networks.js';
import { topLevelFiles } from './secrets.js';

export type SectionMapper = (value: unknown, ctx: ComposeContext) => void;

const nothing: SectionMapper = () => undefined;

export const TOP_LEVEL_KEYS: Record<string, SectionMapper> = {
  services: nothing, // mapped service by service
  version: nothing, // obsolete in the Compose specification; informational only
  name: nothing, // the stack name given on the command line wins
  networks: topLevelNetworks,
  secrets: (value, ctx) => topLevelFiles('secret', ctx.stackFiles ?? [])(value, ctx),
  configs: (value, ctx) => topLevelFiles('config', ctx.stackFiles ?? [])(value, ctx),
  volumes: (value) => {
    // Named volumes are created by the engine where a task runs; the section only names and scopes them (secrets.ts volumeName).
    if (value !== null && (typeof value !== 'object' || Array.isArray(value))) throw fail('volumes: expected a map of volume names');
  },
};

export function mapTopLevel(doc: Record<string, unknown>, ctx: ComposeContext): void {
  for (const [key, value] of Object.entries(doc)) {
    if (key.startsWith('x-')) continue; // extension fields: anchors for the rest of the file
    const mapper = TOP_LEVEL_KEYS[key];
    if (mapper && Object.hasOwn(TOP_LEVEL_KEYS, key)) mapper(value, ctx);
    else ctx.warn(`top-level "${key}" is not supported; ignored`);
  }
}
