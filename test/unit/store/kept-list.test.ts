// The bounded list of a connection's kept statements (src/store/kept-statements.ts): the number
// and the total length of the texts it keeps, the texts kept and not run since pushed out before
// those run again, the least recently used first, and what it hands back to be closed (each
// statement once, whatever the order of texts kept, run again and forgotten); and the
// bounded count of the texts run lately, which decides which are kept.
import { describe, expect, it } from '@jest/globals';
import { ADMIT_AFTER, KeptList, RecentTexts } from '../../../src/store/kept-statements.js';

const text = (tag: string, length: number) => `${tag}${'-'.repeat(length - tag.length)}`;

describe('KeptList', () => {
  it('pushes out the least recently used past its number of texts', () => {
    const list = new KeptList<string>(2, 1000);
    expect(list.add('a', 'A')).toEqual([]);
    expect(list.add('b', 'B')).toEqual([]);
    expect(list.use('a')).toBe('A');
    expect(list.add('c', 'C')).toEqual(['B']);
    expect(list.use('b')).toBeUndefined();
    expect(list.size).toBe(2);
  });

  it('pushes out the least recently used past its total length, never the text just added', () => {
    const list = new KeptList<string>(10, 100);
    list.add(text('a', 40), 'A');
    list.add(text('b', 40), 'B');
    expect(list.add(text('c', 40), 'C')).toEqual(['A']);
    // longer than the total alone: all the others go, it stays
    expect(list.add(text('d', 150), 'D')).toEqual(['B', 'C']);
    expect(list.use(text('d', 150))).toBe('D');
    expect(list.add(text('e', 10), 'E')).toEqual(['D']);
  });

  it('a text added again is counted once, is the most recently used, and hands back what it replaced', () => {
    const list = new KeptList<string>(10, 100);
    list.add(text('a', 40), 'A');
    list.add(text('b', 40), 'B');
    // counted twice, its length would make a total of 120, and push a statement out
    expect(list.add(text('a', 40), 'A')).toEqual([]);
    expect(list.size).toBe(2);
    // `a` is now the most recently used: `b` goes first
    expect(list.add(text('c', 20), 'C')).toEqual([]);
    expect(list.add(text('d', 10), 'D')).toEqual(['B']);
    // another statement for a kept text: the one it replaces is handed back to be closed
    expect(list.add(text('c', 20), 'C2')).toEqual(['C']);
    expect(list.use(text('c', 20))).toBe('C2');
    expect(list.size).toBe(3);
  });

  it('forgets a text only if it still keeps the same statement, and its length with it', () => {
    const list = new KeptList<string>(10, 100);
    list.add(text('a', 60), 'A');
    expect(list.forget(text('a', 60), 'other')).toBe(false);
    expect(list.forget(text('a', 60), 'A')).toBe(true);
    expect(list.add(text('b', 60), 'B')).toEqual([]);
    expect(list.clear()).toEqual(['B']);
    expect(list.add(text('c', 60), 'C')).toEqual([]);
  });
});

describe('KeptList: texts kept and never run again', () => {
  it('push out each other, never a text run again since it was kept, however many they are', () => {
    const list = new KeptList<string>(5, 10_000);
    for (const hot of ['h1', 'h2']) {
      list.add(hot, hot.toUpperCase());
      expect(list.use(hot)).toBe(hot.toUpperCase());
    }
    const out: string[] = [];
    for (let i = 0; i < 1000; i++) out.push(...list.add(`one-off ${i}`, `O${i}`));
    expect(out).toHaveLength(1000 - 3);
    expect(out.every((o) => o.startsWith('O'))).toBe(true);
    expect(list.use('h1')).toBe('H1');
    expect(list.use('h2')).toBe('H2');
    expect(list.size).toBe(5);
    // by their length too: the one-offs go first
    const long = new KeptList<string>(100, 100);
    long.add(text('h', 30), 'H');
    long.use(text('h', 30));
    for (let i = 0; i < 50; i++) expect(long.add(text(`o${i}`, 30), `O${i}`)).not.toContain('H');
    expect(long.has(text('h', 30))).toBe(true);
  });

  it('texts run again hold at most their share of the bound: beyond it the least recently used goes back among those just kept, and may then be pushed out', () => {
    // a bound of 5: 4 texts run again at most
    const list = new KeptList<string>(5, 10_000);
    for (const t of ['a', 'b', 'c', 'd', 'e']) {
      list.add(t, t.toUpperCase());
      list.use(t);
    }
    // `a`, used least recently, went back: the first pushed out by a new text
    expect(list.size).toBe(5);
    expect(list.add('x', 'X')).toEqual(['A']);
    // run again, a text just kept is no longer the first to go
    expect(list.use('x')).toBe('X');
    expect(list.add('y', 'Y')).toEqual(['B']);
    expect(['c', 'd', 'e', 'x', 'y'].every((t) => list.has(t))).toBe(true);
  });

  it('has() does not count as a use', () => {
    const list = new KeptList<string>(2, 10_000);
    list.add('a', 'A');
    expect(list.has('a')).toBe(true);
    list.add('b', 'B');
    list.use('b');
    // `a` is still a text not run since it was kept: the first to go
    expect(list.add('c', 'C')).toEqual(['A']);
    expect(list.has('a')).toBe(false);
  });
});

describe('RecentTexts', () => {
  it("a text is kept from its second run, whatever its length", () => {
    expect(ADMIT_AFTER).toBe(2);
    const recent = new RecentTexts(10);
    for (const t of ['SELECT 1', text('SELECT', 16_000)]) {
      expect(recent.ran(t)).toBe(false);
      expect(recent.ran(t)).toBe(true);
      expect(recent.ran(t)).toBe(true);
    }
  });

  it('counts at most its bound of texts: one that comes back after as many others counts from one again; the ones run since stay counted', () => {
    const recent = new RecentTexts(100);
    recent.ran('old');
    for (let i = 0; i < 100; i++) expect(recent.ran(`one-off ${i}`)).toBe(false);
    expect(recent.size).toBe(100);
    expect(recent.ran('old')).toBe(false);
    expect(recent.ran('one-off 99')).toBe(true);
    expect(recent.size).toBe(100);
  });
});

describe('KeptList: whatever the order of texts kept, run again and forgotten', () => {
  it('stays within its bounds, and hands back every statement it no longer keeps exactly once (none left unclosed, none closed twice)', () => {
    // a seeded sequence (the same each run): texts of varied lengths, kept, run again, forgotten, cleared
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (const [bound, total, steps] of [[5, 400, 20_000], [20, 1000, 20_000], [500, 2 ** 21, 4000], [1, 100, 2000]] as const) {
      const list = new KeptList<string>(bound, total);
      /** statement -> its text, for those the list holds */
      const held = new Map<string, string>();
      const handedBack = new Set<string>();
      let made = 0;
      /** forgotten by their caller, who closes them */
      let forgotten = 0;
      /** what went wrong, step by step (an expect() a step would make the test slow) */
      const wrong: string[] = [];
      const giveBack = (out: string[]) => {
        for (const o of out) {
          if (!held.has(o)) wrong.push(`${o} handed back, not held`);
          if (handedBack.has(o)) wrong.push(`${o} handed back twice`);
          held.delete(o);
          handedBack.add(o);
        }
      };
      for (let step = 0; step < steps; step++) {
        const k = random(3 * bound + 5);
        // each text its own length, up to a third of the total
        const t = `t${k}:${'-'.repeat((k * 7919) % Math.min(total / 3, 16_384))}`;
        const op = random(100);
        if (op < 60) {
          if (list.use(t) === undefined) {
            const s = `S${++made}`;
            held.set(s, t);
            giveBack(list.add(t, s));
            if (!list.has(t)) wrong.push(`${s} not kept once added`);
          }
        } else if (op < 90) {
          list.use(t);
        } else if (op < 99) {
          const s = [...held].find(([, x]) => x === t)?.[0];
          if (s !== undefined && list.forget(t, s)) {
            held.delete(s);
            forgotten++;
          }
        } else {
          giveBack(list.clear());
        }
        if (list.size !== held.size || list.size > bound) wrong.push(`step ${step}: ${list.size} kept, ${held.size} held, bound ${bound}`);
        if (step % 50 === 0) {
          const chars = [...held.values()].reduce((n, x) => n + x.length, 0);
          if (list.size > 1 && chars > total) wrong.push(`step ${step}: ${chars} characters kept`);
          // one statement a text, each still kept
          if (new Set(held.values()).size !== held.size || ![...held.values()].every((x) => list.has(x))) wrong.push(`step ${step}: held and kept differ`);
        }
      }
      expect(wrong.slice(0, 5)).toEqual([]);
      // the statements still held are what clearing the list hands back
      giveBack(list.clear());
      expect(held.size).toBe(0);
      expect(handedBack.size + forgotten).toBe(made);
    }
  });
});
