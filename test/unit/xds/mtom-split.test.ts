// A body split while it arrives is split as the whole body is, wherever its chunks end: at every
// offset of every delimiter (and of the padding and line end after it).
import { describe, expect, it } from '@jest/globals';
import { buildMtomMessage, parseMultipartRelated } from '../../../src/xds/mtom.js';
import { MultipartSplitter, type MultipartSplit } from '../../../src/xds/mtom-split.js';

const B = 'MIMEBoundary_edge';

function splitInChunks(body: Buffer, cuts: number[], maxParts = 1000): MultipartSplit {
  const splitter = new MultipartSplitter(B, maxParts);
  for (const cut of cuts) splitter.feed(body.subarray(0, cut));
  return splitter.end(body);
}

const whole = (body: Buffer, maxParts = 1000) => new MultipartSplitter(B, maxParts).end(body);

/** Every offset at which a chunk edge may cut a delimiter, its padding or its line end. */
function edgesOf(body: Buffer): number[] {
  const delim = Buffer.from('--' + B, 'latin1');
  const edges: number[] = [];
  for (let at = body.indexOf(delim); at >= 0; at = body.indexOf(delim, at + 1)) {
    for (let j = -2; j <= delim.length + 6; j++) if (at + j > 0 && at + j < body.length) edges.push(at + j);
  }
  return edges;
}

const bodies: Array<[string, Buffer]> = [
  [
    'an MTOM message of two documents',
    (() => {
      const m = buildMtomMessage('<e/>', [
        { contentId: 'a@x', contentType: 'text/plain', body: Buffer.from('first -- document') },
        { contentId: 'b@x', contentType: 'text/plain', body: Buffer.from(`text --${B}x inside a line`) },
      ]);
      return Buffer.from(m.chunks.map((c) => c.toString('latin1')).join('').replace(/MIMEBoundary_[0-9a-f]+/g, B), 'latin1');
    })(),
  ],
  ['padding, bare line ends, a boundary inside a line', Buffer.from(`pre --${B}x\n--${B} \t\nA: 1\n\none\n--${B}y\n--${B}\r\n\r\ntwo\r\n--${B}--\r\n`, 'latin1')],
  ['no closing delimiter', Buffer.from(`--${B}\r\nA: 1\r\n\r\none\r\n--${B}\r\n`, 'latin1')],
  ['dashes only', Buffer.from('-'.repeat(300), 'latin1')],
];

describe('MultipartSplitter', () => {
  it.each(bodies)('%s: split the same with a chunk edge at every offset of a delimiter', (_name, body) => {
    const expected = whole(body);
    for (const edge of edgesOf(body)) expect(splitInChunks(body, [edge])).toEqual(expected);
    // and in chunks of one byte
    expect(splitInChunks(body, Array.from({ length: body.length }, (_, i) => i + 1))).toEqual(expected);
  });

  it('splits an MTOM message fed chunk by chunk into the parts the whole message has', () => {
    const body = bodies[0]![1];
    const ct = `multipart/related; boundary="${B}"; type="application/xop+xml"`;
    const read = parseMultipartRelated({ body, split: splitInChunks(body, edgesOf(body)) }, ct);
    const once = parseMultipartRelated(body, ct);
    expect(read.parts.map((p) => [p.contentId, p.body.toString('latin1')])).toEqual(once.parts.map((p) => [p.contentId, p.body.toString('latin1')]));
    expect(once.parts.map((p) => p.contentId)).toEqual([expect.any(String), 'a@x', 'b@x']);
  });

  it('stops at one part past the limit, fed whole or in chunks', () => {
    const body = Buffer.from(`--${B}\r\n\r\n1\r\n--${B}\r\n\r\n2\r\n--${B}\r\n\r\n3\r\n--${B}--`, 'latin1');
    const expected = whole(body, 2);
    expect(expected).toMatchObject({ tooManyParts: true, closed: false });
    expect(expected.spans).toHaveLength(4);
    for (const edge of edgesOf(body)) expect(splitInChunks(body, [edge], 2)).toEqual(expected);
  });
});
