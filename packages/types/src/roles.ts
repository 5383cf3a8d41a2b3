/**
 * API token roles, from least to most power. `read-only` sees everything
 * but secrets; `operator` also changes services (create, scale, update,
 * rollback, remove); `admin` also changes nodes, the cluster and tokens.
 */
export const API_ROLES = ['read-only', 'operator', 'admin'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export function isApiRole(v: unknown): v is ApiRole {
  return typeof v === 'string' && (API_ROLES as readonly string[]).includes(v);
}

/** True when `held` carries at least the power of `needed`. */
export function roleAllows(held: ApiRole, needed: ApiRole): boolean {
  return API_ROLES.indexOf(held) >= API_ROLES.indexOf(needed);
}
