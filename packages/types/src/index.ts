export * from './errors.js';
export * from './domain.js';
export * from './spec.js';
export * from './constraint.js';
export * from './defaults.js';
export * from './validate.js';
export * from './dangerous.js';
export * from './task-state.js';
<<<<<<< HEAD
export * from './input-hygiene.js';
export * from './roles.js';
=======
export * from './network.js';
export * from './ipv4.js';
>>>>>>> a436ea307e9db55e491873994422f500fd462fc7
