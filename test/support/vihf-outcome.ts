// What a VIHF check made of an assertion, as one word: 'accepted', or the kind of VihfError it
// refused it with (any other error is the test's failure and is thrown on).
import { VihfError } from '../../src/auth/vihf-error.js';

export function vihfOutcome(check: () => unknown): string {
  try {
    check();
    return 'accepted';
  } catch (e) {
    if (e instanceof VihfError) return e.kind;
    throw e;
  }
}
