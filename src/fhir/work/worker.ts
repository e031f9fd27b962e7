// Entry of the FHIR worker threads in the compiled server (dist/): the tasks, as compiled. From
// the sources (development, tests) worker.mjs loads the same tasks through tsx instead.
export { warm, xmlToJson, checkProfile, validate, provideBundleChecks, readProvideJson } from './tasks.js';
