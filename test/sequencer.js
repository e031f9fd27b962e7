// The order in which Jest hands test files to its workers. Jest starts the files it knows to be
// slow first, so that the workers finish together; but it knows only from its own cache, which a
// fresh clone (and CI's checkout) does not have, and then it guesses from the files' sizes, which
// put the slowest files (the lock's matrix, the browser journeys, the CLI) last or in the middle.
// Here a file Jest has no time for takes the seconds it took in a measured run (test/durations.json,
// refreshed by test/tools/durations.js from a `jest --json` report); Jest's own figures, when it
// has them, come first, being this machine's.
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import Sequencer from '@jest/test-sequencer';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MEASURED = JSON.parse(readFileSync(join(ROOT, 'test', 'durations.json'), 'utf8'));

export default class MeasuredFirst extends Sequencer {
  time(test) {
    return super.time(test) ?? secondsToMs(MEASURED[relative(ROOT, test.path).split('\\').join('/')]);
  }
}

function secondsToMs(s) {
  return typeof s === 'number' ? s * 1000 : undefined;
}
