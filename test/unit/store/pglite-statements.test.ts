// What the embedded store's transactions read of its kept statements (src/store/pglite-statements.ts):
// how many times they were ended for a shape that may have changed, which only they may count.
import { expect, it } from '@jest/globals';
import type { PGlite } from '@electric-sql/pglite';
import { PgliteStatements } from '../../../src/store/pglite-statements.js';

it('the count of shape changes grows with each end of the kept statements, and cannot be set from outside', async () => {
  // nothing kept, nothing to close: forgetAll sends nothing to the engine
  const statements = new PgliteStatements({} as PGlite);
  expect(statements.shapeChanges).toBe(0);
  await statements.forgetAll();
  await statements.forgetAll();
  expect(statements.shapeChanges).toBe(2);
  expect(() => {
    (statements as unknown as { shapeChanges: number }).shapeChanges = 0;
  }).toThrow(TypeError);
  expect(statements.shapeChanges).toBe(2);
});
