// Finding and loading toolkit tests on disk: a test is a folder with index.idx (its sections, in
// order) or, for one-section tests, a testplan.xml of its own.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseTestPlan } from './testplan.js';
import type { LoadedTest, Section } from './types.js';

function isTestDir(dir: string): boolean {
  return existsSync(join(dir, 'index.idx')) || existsSync(join(dir, 'testplan.xml'));
}

function lines(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/**
 * Test folders under each path (a test folder itself, or a folder of tests), sorted by name
 * within each path; duplicates removed.
 */
export function findTestDirs(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new Error(`not a directory: ${p}`);
    if (isTestDir(abs)) out.push(abs);
    else {
      for (const name of readdirSync(abs).sort()) {
        const d = join(abs, name);
        if (statSync(d).isDirectory() && isTestDir(d)) out.push(d);
      }
    }
  }
  return [...new Set(out)];
}

export function loadTest(dir: string): LoadedTest {
  const abs = resolve(dir);
  const indexed = lines(join(abs, 'index.idx'));
  const sectionNames = indexed.length ? indexed : existsSync(join(abs, 'testplan.xml')) ? [''] : [];
  const sections: Section[] = sectionNames.map((name) => {
    const sdir = name ? join(abs, name) : abs;
    const file = join(sdir, 'testplan.xml');
    if (!existsSync(file)) throw new Error(`section ${name || '(root)'} has no testplan.xml`);
    return { name, dir: sdir, steps: parseTestPlan(readFileSync(file, 'utf8')) };
  });
  return {
    name: basename(abs),
    dir: abs,
    title: lines(join(abs, 'readme.txt'))[0] ?? '',
    collections: lines(join(abs, 'collections.txt')),
    sections,
  };
}
