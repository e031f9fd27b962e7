// Entry of the FHIR worker threads: the tasks are TypeScript, loaded through tsx as the server
// itself is (bin/run-ts.js), then indexed once per thread.
import { register } from 'tsx/esm/api';

register();
const tasks = await import('./tasks.ts');

export const { warm, xmlToJson, checkProfile } = tasks;
