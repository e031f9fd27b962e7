// The two catalogues are complete: the same keys (the English one is typed as the French one),
// no empty text, and every key the page's code names exists.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { en } from '../src/i18n/en';
import { fr } from '../src/i18n/fr';

type Tree = { [k: string]: string | Tree };

function leaves(t: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(t)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of leaves(v, key)) out.set(kk, vv);
  }
  return out;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

const FR = leaves(fr as Tree);
const EN = leaves(en as Tree);

describe('the catalogues', () => {
  it('French and English have exactly the same keys', () => {
    expect([...EN.keys()].sort()).toEqual([...FR.keys()].sort());
  });

  it('no text is empty, and the sentences are translated (a long text identical in both is a forgotten one)', () => {
    for (const [k, v] of [...FR, ...EN]) expect({ k, empty: v.trim() === '' }).toEqual({ k, empty: false });
    const same = [...FR].filter(([k, v]) => EN.get(k) === v && v.split(' ').length > 3).map(([k]) => k);
    expect(same).toEqual([]);
  });

  it('every literal key the code asks for exists (plural keys by their _one/_other forms; templated keys by their prefix)', () => {
    const code = sources(join(__dirname, '..', 'src')).map((f) => readFileSync(f, 'utf8')).join('\n');
    const keys = [...code.matchAll(/\bt\(\s*['`]([a-zA-Z0-9_.${}-]+)['`]/g)].map((m) => m[1]);
    expect(keys.length).toBeGreaterThan(100);
    const missing = keys.filter((k) => {
      if (k.includes('${')) {
        const prefix = k.slice(0, k.indexOf('${'));
        return ![...FR.keys()].some((x) => x.startsWith(prefix));
      }
      return !FR.has(k) && !FR.has(`${k}_one`);
    });
    expect(missing).toEqual([]);
  });

  it('every history action the server traces has a sentence', () => {
    const actions = ['record.read', 'record.export', 'document.read', 'document.retrieve', 'document.submit', 'document.mask', 'document.archive', 'consent.manage', 'trace.read', 'auth.login'];
    for (const a of actions) expect(FR.has(`history.actions.${a}`)).toBe(true);
  });
});
