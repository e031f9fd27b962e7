// Jest runs the TypeScript sources directly through swc; type checking is `npm run typecheck`.
export default {
  // Node's, plus what the files of one Jest process share: warm FHIR worker threads and the R4
  // schemas' judges, built once per process (test/support/environment.js says why).
  testEnvironment: '<rootDir>/test/support/environment.js',
  transform: { '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // Three workers on a two-core machine: a file often waits (on PostgreSQL, Chromium, a child
  // process, a worker thread), and with two the cores stood idle a sixth of the run. Measured on a
  // fresh clone, PGlite only, one after the other: `jest` 416 s with two workers, 378 s with three
  // (user+sys 714 and 650 CPU-s); four were slower again (362 s against 335 s with three, a later
  // run). The tests wait on readiness, so a busier machine slows them but does not fail them.
  maxWorkers: 3,
  // The slowest files first, from the seconds they took in a measured run when Jest has no
  // figures of its own (a fresh clone, CI): the two workers then finish together.
  testSequencer: '<rootDir>/test/sequencer.js',
  testTimeout: 60000,
};
