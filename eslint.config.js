// Lint: typescript-eslint's recommended rules everywhere, and in the pure
// packages a ban on every source of time, randomness and I/O, so that the
// simulator can drive them deterministically.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const PURE = ['types', 'raft', 'state', 'scheduler', 'orchestrator', 'membership', 'netplan'];

export default tseslint.config(
  { ignores: ['**/dist/**', 'node_modules/**', 'bench/results/**', '**/*.js', '!eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: PURE.map((p) => `packages/${p}/src/**/*.ts`),
    rules: {
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'queueMicrotask', 'performance', 'process', 'fetch', 'require'].map(
          (name) => ({ name, message: 'pure package: inject time, scheduling and I/O instead' }),
        ),
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'pure package: use the injected clock' },
        { object: 'Math', property: 'random', message: 'pure package: use the injected random source' },
        { object: 'crypto', property: 'randomUUID', message: 'pure package: use the injected random source' },
        { object: 'crypto', property: 'getRandomValues', message: 'pure package: use the injected random source' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'pure package: new Date() reads the clock; use the injected clock' },
      ],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*', 'fs', 'fs/*', 'net', 'http', 'https', 'child_process', 'os', 'crypto', 'timers', 'timers/*', 'dgram', 'worker_threads'], message: 'pure package: no I/O imports' }] },
      ],
    },
  },
  {
    // secrets is pure too, but seals with node's crypto: every primitive but its random sources.
    files: ['packages/secrets/src/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval', 'setImmediate', 'performance', 'process', 'fetch', 'require'].map((name) => ({ name, message: 'pure package: inject time, scheduling and I/O instead' })),
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'pure package: use the injected clock' },
        { object: 'Math', property: 'random', message: 'pure package: use the injected random source' },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'node:crypto', importNames: ['randomBytes', 'randomFillSync', 'randomFill', 'randomInt', 'randomUUID', 'generateKeyPairSync', 'generateKeyPair', 'getRandomValues'], message: 'pure package: use the injected random source' }],
          patterns: [{ group: ['fs', 'fs/*', 'net', 'http', 'https', 'child_process', 'os', 'crypto', 'node:fs*', 'node:net', 'node:http*', 'node:child_process', 'node:os', 'node:timers*'], message: 'pure package: no I/O imports' }],
        },
      ],
    },
  },
);
