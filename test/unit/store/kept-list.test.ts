// The bounded list of a connection's kept statements (src/store/kept-statements.ts): the number
// and the total length of the texts it keeps, the least recently used pushed out first, and what
// it hands back to be closed.
import { describe, expect, it } from '@jest/globals';
import { KeptList } from '../../../src/store/kept-statements.js';

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
