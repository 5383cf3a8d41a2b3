/** The errors the store raises, with messages that say what to do. */
import { ErrorCode, ShoalError } from '@shoal/types';

export function corruptStore(dir: string, what: string, details: Record<string, unknown> = {}): ShoalError {
  return new ShoalError(
    ErrorCode.CorruptStore,
    `Raft store ${dir} is corrupt: ${what}. Refusing to start from it; restore the data dir from a backup or remove it and re-join the node to the cluster`,
    { dir, ...details },
  );
}

export function writeFailed(dir: string, cause: unknown): ShoalError {
  const reason = describe(cause);
  // A full disk and a broken one are the operator's to fix, not a bug: coded so the API says so (507/503, not 500).
  const full = /ENOSPC|EDQUOT|No space left|quota exceeded/i.test(reason);
  return new ShoalError(
    full ? ErrorCode.DiskFull : ErrorCode.StorageFailed,
    `writing the Raft store ${dir} failed (${reason}); nothing was acknowledged. Check free disk space and permissions, then restart the node`,
    { dir, cause: reason },
  );
}

export function openFailed(dir: string, cause: unknown): ShoalError {
  const code = (cause as { cause?: { code?: string } }).cause?.code ?? (cause as { code?: string }).code;
  if (code === 'LEVEL_LOCKED') {
    return new ShoalError(ErrorCode.BadConfig, `Raft store ${dir} is in use by another process; stop the other shoal agent or choose another data dir`, { dir });
  }
  if (code === 'LEVEL_CORRUPTION') return corruptStore(dir, `LevelDB reports corruption (${describe(cause)})`);
  return new ShoalError(ErrorCode.BadConfig, `cannot open the Raft store ${dir} (${describe(cause)}); check the data dir path and permissions`, { dir });
}

export function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as { cause?: unknown }).cause;
    return inner instanceof Error ? `${cause.message}: ${inner.message}` : cause.message;
  }
  return String(cause);
}
