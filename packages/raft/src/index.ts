export * from './types.js';
export { RaftNode, MAX_ENTRY_BYTES } from './node.js';
export {
  MAX_MESSAGE_BYTES,
  encodeMessage,
  decodeMessage,
  encodeEntry,
  decodeEntry,
  encodeConfChange,
  decodeConfChange,
  encodeSnapshot,
  decodeSnapshot,
} from './codec.js';
export { MAX_TERM, MAX_INDEX, MAX_TERM_JUMP, type DropCounts, type DropReason } from './admission.js';
export { RaftError, isRaftError, type RaftErrorCode } from './errors.js';
