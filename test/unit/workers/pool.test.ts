// The worker pool must never take the process down: a worker module that cannot load fails the
// warm-up and the tasks (their requests answer an error), and a later task tries again.
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createTaskPool } from '../../../src/workers/pool.js';

describe('the worker pool', () => {
  it('turns a worker module that cannot load into failed tasks, not a crashed process, and recovers once it can', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carnet-pool-'));
    const file = join(dir, 'tasks.mjs');
    const pool = createTaskPool({ filename: pathToFileURL(file).href, threads: 1, budgetMs: 5000 });
    try {
      await expect(pool.warm()).rejects.toThrow();
      await expect(pool.run('double', 2)).rejects.toThrow();
      writeFileSync(file, 'export function warm() { return true; }\nexport function double(n) { return n * 2; }\n');
      expect(await pool.run('double', 21)).toBe(42);
    } finally {
      await pool.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops a task past its budget and answers that the request was too costly; the next task is not charged for the new thread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carnet-pool-'));
    const file = join(dir, 'tasks.mjs');
    // Loading the module costs more than the budget (as indexing definitions does), on each new thread.
    const load = 'const t0 = Date.now(); while (Date.now() - t0 < 500) {}\n';
    writeFileSync(file, `${load}export function warm() { return true; }\nexport function spin() { for (;;) {} }\nexport function one() { return 1; }\n`);
    const pool = createTaskPool({ filename: pathToFileURL(file).href, threads: 1, budgetMs: 300 });
    try {
      await expect(pool.run('spin', null)).rejects.toThrow(/budget/);
      expect(await pool.run('one', null)).toBe(1);
    } finally {
      await pool.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
