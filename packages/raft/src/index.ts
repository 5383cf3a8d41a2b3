export * from './types.js';
export { RaftNode } from './node.js';
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
