/** Reading a Compose document: the stack name, YAML parsing, the `services` map. */
import { parse as parseYaml } from 'yaml';
import { fail, isDoc, type Doc } from './common.js';

export function checkStackName(stack: string): void {
  if (!/^[a-z0-9][a-z0-9_-]{0,30}$/.test(stack)) throw fail(`stack name "${stack}" must be lower-case letters, digits, - or _ (up to 31 characters)`);
}

export function parseComposeYaml(yamlText: string): Doc & { services: Doc } {
  let doc: unknown;
  try {
    // merge: `<<: *anchor` is how Compose files share settings (YAML 1.1 merge keys).
    doc = parseYaml(yamlText, { merge: true });
  } catch (err) {
    throw fail(`compose file is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!isDoc(doc) || !isDoc(doc.services)) throw fail('compose file has no "services" map');
  return doc as Doc & { services: Doc };
}
