// Jest runs the TypeScript sources directly through swc; type checking is `npm run typecheck`.
export default {
  // Node's, plus what the files of one Jest process share: warm FHIR worker threads and the R4
  // schemas' judges, built once per process (test/support/environment.js says why).
  testEnvironment: '<rootDir>/test/support/environment.js',
  transform: { '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // PGlite instances are costly: two workers on a two-core machine.
  maxWorkers: 2,
  // The slowest files first, from the seconds they took in a measured run when Jest has no
  // figures of its own (a fresh clone, CI): the two workers then finish together.
  testSequencer: '<rootDir>/test/sequencer.js',
  testTimeout: 60000,
};
