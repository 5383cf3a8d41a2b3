/**
 * Associated data for every sealed value: where it may be opened. A sealed
 * blob copied into another record (another secret, another node) fails to
 * open instead of leaking.
 */
export const secretContext = (secretId: string, name: string): string => `shoal/secret/v1|${secretId}|${name}`;
export const storeKeyContext = (keyId: string, nodeId: string): string => `shoal/store-key/v1|${keyId}|${nodeId}`;
export const grantContext = (secretId: string, nodeId: string): string => `shoal/grant/v1|${secretId}|${nodeId}`;
