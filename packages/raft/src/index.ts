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
