// Jest runs the TypeScript sources directly through swc; type checking is `npm run typecheck`.
export default {
  testEnvironment: 'node',
  transform: { '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // PGlite instances are costly: two workers on a two-core machine.
  maxWorkers: 2,
  testTimeout: 60000,
};
