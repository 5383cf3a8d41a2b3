export type { RandomBytes } from './random.js';
export { newSealKeyPair, sealKeyPairFromPrivate, type SealKeyPair } from './seal-key.js';
export { seal, open } from './sealed-box.js';
export { secretContext, storeKeyContext, grantContext } from './contexts.js';
export { newStoreKey, shareStoreKey, openStoreKey, sealSecretValue, openSecretValue, sealGrant, openGrant, type Recipient } from './keyring.js';
export { planSecretDuties, planRotation, secretsNeeded, type DutyInput, type SecretStateView } from './plan-duties.js';
