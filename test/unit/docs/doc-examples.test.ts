// The reader of the documents' examples and the comparison of an answer with the documented one:
// a documented answer that differs must fail, `…` must only stand where it is written.
import { describe, expect, it } from '@jest/globals';
import { answerMismatch, jsonMismatch, readExamples } from '../../support/doc-examples.js';

const DOC = [
  'Intro.',
  '```sh example',
  'echo one',
  '```',
  'Some prose.',
  '```json answer 201',
  '{ "a": 1 }',
  '```',
  '```sh',
  'npm start',
  '```',
  '````sh example',
  'cat <<EOF',
  '```',
  'EOF',
  '````',
].join('\n');

describe('readExamples', () => {
  it('reads the example blocks in order, each with the answer block that follows it, and skips the others', () => {
    const examples = readExamples(DOC, 'x.md');
    expect(examples).toEqual([
      { file: 'x.md', line: 2, script: 'echo one', answer: { lang: 'json', status: 201, template: '{ "a": 1 }', line: 6 } },
      { file: 'x.md', line: 12, script: 'cat <<EOF\n```\nEOF' },
    ]);
  });

  it('refuses an answer without its example, an example that is not shell, and an unclosed block', () => {
    expect(() => readExamples('```json answer\n{}\n```', 'x.md')).toThrow(/x.md:1: an answer block must follow its example block/);
    expect(() => readExamples('```js example\n1\n```', 'x.md')).toThrow(/examples are shell blocks/);
    expect(() => readExamples('```sh example\necho', 'x.md')).toThrow(/never closed/);
    expect(() => readExamples('```sh example\necho\n```\n```text answer two\n```', 'x.md')).toThrow(/not an HTTP status/);
  });
});

describe('jsonMismatch', () => {
  it.each([
    ['…', { any: 'thing' }],
    [{ id: '…', ref: 'Patient/…' }, { id: 42, ref: 'Patient/abc' }],
    [{ a: 1, '…': '…' }, { a: 1, b: 2 }],
    [[1, '…'], [1, 2, 3]],
    [[1, '…'], [1]],
    [{ n: null, t: true }, { n: null, t: true }],
  ])('matches %j with %j', (template, actual) => {
    expect(jsonMismatch(template, actual)).toBeUndefined();
  });

  it.each([
    [{ a: 1 }, { a: 2 }, '$.a: expected 1, got 2'],
    [{ a: 1 }, { a: 1, b: 2 }, '$: keys the documentation does not show: b (add them, or "…": "…")'],
    [{ a: 1, b: 2 }, { a: 1 }, '$.b: missing'],
    [[1, 2], [1, 2, 3], '$: expected 2 elements, got 3'],
    [['x', '…'], [], '$: expected at least 1 elements, got 0'],
    [{ ref: 'Patient/…' }, { ref: 'Practitioner/1' }, '$.ref: expected "Patient/…", got "Practitioner/1"'],
    [{ s: '…x' }, { s: 7 }, '$.s: expected a string like "…x", got 7'],
  ])('tells where %j and %j differ', (template, actual, message) => {
    expect(jsonMismatch(template, actual)).toBe(message);
  });
});

describe('answerMismatch', () => {
  it('compares XML without the spaces between tags, with … for any text', () => {
    const answer = { lang: 'xml', template: '<a>\n  <b id="…"/>\n  …\n</a>', line: 1 };
    expect(answerMismatch(answer, '<a><b id="7"/><c/><d/></a>')).toBeUndefined();
    expect(answerMismatch(answer, '<a><c id="7"/></a>')).toMatch(/^expected/);
  });

  it('compares text line by line and JSON as values', () => {
    expect(answerMismatch({ lang: 'text', template: '4\n…\n"x"', line: 1 }, '4\n2\n3\n"x"\n')).toBeUndefined();
    expect(answerMismatch({ lang: 'text', template: '4\n"x"', line: 1 }, '4\n"y"\n')).toMatch(/^expected/);
    expect(answerMismatch({ lang: 'json', template: '{"a": [1]}', line: 1 }, '{\n  "a": [\n    1\n  ]\n}')).toBeUndefined();
    expect(answerMismatch({ lang: 'json', template: '{}', line: 1 }, 'not json')).toMatch(/printed no JSON/);
  });
});
