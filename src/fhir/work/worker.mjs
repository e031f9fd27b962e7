// Entry of the FHIR worker threads when the server runs from its sources (development, tests):
// the tasks are TypeScript, loaded through tsx as the server itself is (bin/run-ts.js), then
// indexed once per thread. The compiled server (dist/) uses worker.ts's compiled twin instead.
import { register } from 'tsx/esm/api';

register();
const tasks = await import('./tasks.ts');

export const { warm, xmlToJson, checkProfile, validate, provideBundleChecks, readProvideJson } = tasks;
