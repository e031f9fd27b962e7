// The project's documents stand on their own: their links lead to files of the repository (or to
// a local server), they name no place outside it, and every rule ID they quote is one that
// docs/RULES.md states. Their examples are run in test/e2e/docs-examples.test.ts.
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = process.cwd();
/** Copied third-party material (the NIST test plans) and build output are not the project's words. */
const SKIPPED = new Set(['node_modules', 'dist', 'data', 'reports', 'coverage', '.git', join('conformance', 'xds', 'tests'), join('test', 'fixtures')]);

function markdownFiles(dir = ROOT): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    // A workspace has its own node_modules (web/node_modules): skipped wherever it is.
    if (SKIPPED.has(relative(ROOT, path)) || name === 'node_modules') return [];
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

/** Link targets of a Markdown text: [text](target) and <scheme://…> autolinks, outside code. */
function links(markdown: string): string[] {
  const prose = markdown.replace(/^(`{3,}|~{3,})[\s\S]*?^\1/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)|<([a-z]+:\/\/[^>\s]+)>/g)].map((m) => (m[1] ?? m[2])!);
}

const FILES = markdownFiles();
const RULE_ID = /\b(?:DMP|DOC|MASK|ACC|MIN|AUTH|PAT|TRACE)-\d{2}\b/g;

describe('the documents', () => {
  it('are found', () => {
    expect(FILES.map((f) => relative(ROOT, f))).toEqual(expect.arrayContaining(['README.md', join('docs', 'RULES.md'), join('docs', 'XDS.md'), join('docs', 'MHD.md')]));
  });

  it.each(FILES.map((f) => [relative(ROOT, f), f]))('%s: every link leads to a file of the repository or to a local server', (_name, file) => {
    const bad = links(readFileSync(file, 'utf8')).filter((target) => {
      if (/^https?:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/.test(target)) return false;
      if (/^[a-z]+:/i.test(target) || target.startsWith('/')) return true;
      const path = resolve(dirname(file), target.split('#')[0]!);
      return relative(ROOT, path).startsWith('..') || !existsSync(path);
    });
    expect(bad).toEqual([]);
  });

  it.each(FILES.map((f) => [relative(ROOT, f), f]))('%s: names no place outside the repository', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    expect(text.match(/(?:\.\.\/)+shared\/|\bshared\/(?:docs|data|seed)\/|(?<![\w.-])\/work\/|\/home\/[a-z]/g) ?? []).toEqual([]);
  });

  it('quote only the rule IDs that docs/RULES.md states', () => {
    const stated = new Set(readFileSync(join(ROOT, 'docs', 'RULES.md'), 'utf8').match(/^\| ([A-Z]+-\d{2}) \|/gm)!.map((l) => l.slice(2, -2)));
    expect(stated.size).toBeGreaterThan(40);
    const unknown = FILES.flatMap((f) => (readFileSync(f, 'utf8').match(RULE_ID) ?? []).filter((id) => !stated.has(id)).map((id) => `${relative(ROOT, f)}: ${id}`));
    expect(unknown).toEqual([]);
  });
});
