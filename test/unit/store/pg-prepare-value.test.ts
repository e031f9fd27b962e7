// The server's store maps each value with `pg`'s own utils.prepareValue before handing a kept
// statement over (src/store/pg-statements.ts says why). A `pg` release that moved it must stop the
// store from loading, with the reason, never let values go through another way unseen.
import { expect, it, jest } from '@jest/globals';
import pg from 'pg';
import { prepareValueOf } from '../../../src/store/pg-statements.js';

it("the installed pg's prepareValue maps values as pg sends them", () => {
  const prepareValue = prepareValueOf(pg);
  expect(prepareValue(null)).toBeNull();
  expect(prepareValue(12)).toBe('12');
  expect(prepareValue([1, null, 'a"b'])).toBe('{"1",NULL,"a\\"b"}');
  expect(prepareValue({ toPostgres: () => 'mine' })).toBe('mine');
  expect(Buffer.isBuffer(prepareValue(Buffer.from('x')))).toBe(true);
});

it('a pg without utils.prepareValue: the answer is an error that says so, whatever else it lacks', () => {
  for (const module of [{}, { utils: {} }, { utils: { prepareValue: 'not a function' } }, undefined]) {
    expect(() => prepareValueOf(module)).toThrow(/pg has no utils\.prepareValue/);
  }
});

it('a pg without utils.prepareValue: the server store does not load', async () => {
  // loaded again, on the pg without it
  jest.resetModules();
  jest.unstable_mockModule('pg', () => ({ default: { ...pg, utils: undefined } }));
  await expect(import('../../../src/store/pg-db.js')).rejects.toThrow(/pg has no utils\.prepareValue/);
});
