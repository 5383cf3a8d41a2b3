/** API token commands: create (a hash and a role under a unique name) and revoke; a node's own token hash. */
import { ErrorCode } from '@shoal/types';
import type { CommandOf, CommandResult } from './commands.js';
import { fail, ok } from './result.js';
import type { Store } from './store.js';

/** Most API tokens a cluster holds: each is checked on every request, and the table lives in every snapshot. */
export const MAX_API_TOKENS = 1000;

export function applyApiTokenCreate(store: Store, cmd: CommandOf<'apitoken.create'>): CommandResult {
  const sec = store.security;
  if (sec.apiTokens.has(cmd.tokenId)) return fail(ErrorCode.Conflict, `token id ${cmd.tokenId} already exists`);
  if (sec.tokenByName.has(cmd.name)) return fail(ErrorCode.Conflict, `a token named "${cmd.name}" already exists; revoke it first or pick another name`);
  if (sec.tokenByHash.has(cmd.hash) || sec.nodeByTokenHash.has(cmd.hash)) return fail(ErrorCode.Conflict, 'this token is already registered');
  if (sec.apiTokens.size >= MAX_API_TOKENS) return fail(ErrorCode.LimitExceeded, `this cluster already has ${MAX_API_TOKENS} API tokens; revoke unused ones first`);
  sec.putToken({ id: cmd.tokenId, name: cmd.name, role: cmd.role, hash: cmd.hash, createdAt: cmd.at, ...(cmd.by ? { createdBy: cmd.by } : {}) });
  return ok({ id: cmd.tokenId });
}

/** `tokenId` may be the id or the name. */
export function applyApiTokenRevoke(store: Store, cmd: CommandOf<'apitoken.revoke'>): CommandResult {
  const sec = store.security;
  const id = sec.apiTokens.has(cmd.tokenId) ? cmd.tokenId : sec.tokenByName.get(cmd.tokenId);
  if (id === undefined) return fail(ErrorCode.NotFound, `no API token ${cmd.tokenId}; list them with \`shoal token ls\``);
  sec.deleteToken(id);
  return ok({ id });
}

/**
 * A node registers the hash of its own API token. A hash another node or an
 * API token already uses is refused: a member copying a voter's hash (every
 * member sees them) must not make that voter's token resolve to itself.
 */
export function applyNodeTokenSet(store: Store, cmd: CommandOf<'nodetoken.set'>): CommandResult {
  const sec = store.security;
  if (!store.nodes.has(cmd.nodeId)) return fail(ErrorCode.NotFound, `node ${cmd.nodeId} not found`);
  const owner = sec.nodeByTokenHash.get(cmd.hash);
  if ((owner !== undefined && owner !== cmd.nodeId) || sec.tokenByHash.has(cmd.hash)) return fail(ErrorCode.Conflict, 'this token hash is already registered');
  sec.putNodeToken(cmd.nodeId, cmd.hash);
  return ok({ id: cmd.nodeId });
}
