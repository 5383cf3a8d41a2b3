/**
 * Loaded with `--import` (through NODE_OPTIONS) into the unit-test processes:
 * plants the mutation named by SHOAL_MUTATION before the tests import Raft.
 * The tests import the same compiled module, so they run against the mutant.
 */
import { MUTATIONS } from './catalog.js';

const name = process.env.SHOAL_MUTATION;
const m = MUTATIONS.find((x) => x.name === name);
if (!m) throw new Error(`SHOAL_MUTATION=${String(name)} is not in the catalog`);
m.plant();
