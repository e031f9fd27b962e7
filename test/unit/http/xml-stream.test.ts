// Issue 11: XML bodies are read under their limits while they arrive, not after: decoded chunk
// by chunk (strict UTF-8 across chunk boundaries), refused at the chunk that passes the size.
import { Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { readXmlStream } from '../../../src/http/bodies.js';
import { DEFAULT_XML_LIMITS } from '../../../src/xml/index.js';

const routeLimit = () => Object.assign(new Error('the route body limit'), { statusCode: 413 });

/** A stream of the given chunks that records how many were read. */
function chunked(chunks: Buffer[]): { stream: Readable; read: () => number } {
  let read = 0;
  const stream = new Readable({
    read() {
      const next = chunks[read];
      read++;
      this.push(next ?? null);
    },
  });
  return { stream, read: () => read };
}

describe('readXmlStream', () => {
  it('joins a character cut between two chunks and drops a leading byte order mark', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<a>é€😀</a>', 'utf8')]);
    const cuts = [bytes.subarray(0, 6), bytes.subarray(6, 9), bytes.subarray(9)];
    expect(await readXmlStream(chunked(cuts).stream, DEFAULT_XML_LIMITS, 1000, routeLimit)).toBe('<a>é€😀</a>');
  });

  it('refuses invalid UTF-8 instead of storing U+FFFD, a truncated last character included', async () => {
    await expect(readXmlStream(chunked([Buffer.from('<a>'), Buffer.from([0xc3, 0x28]), Buffer.from('</a>')]).stream, DEFAULT_XML_LIMITS, 1000, routeLimit)).rejects.toThrow('the body is not valid UTF-8');
    await expect(readXmlStream(chunked([Buffer.from('<a>'), Buffer.from([0xe2, 0x82])]).stream, DEFAULT_XML_LIMITS, 1000, routeLimit)).rejects.toThrow('the body is not valid UTF-8');
  });

  it('refuses at the chunk that passes the XML limit, naming it, without reading on', async () => {
    const limits = { ...DEFAULT_XML_LIMITS, maxBytes: 2048 };
    const body = chunked(Array.from({ length: 100 }, () => Buffer.alloc(1024, 0x61)));
    await expect(readXmlStream(body.stream, limits, limits.maxBytes, routeLimit)).rejects.toThrow('the XML part is larger than 2048 bytes (CARNET_XML_MAX_BYTES)');
    await new Promise((resolve) => setImmediate(resolve));
    // three chunks passed the limit; the stream's own read-ahead (16 KB) may fill, no more
    expect(body.read()).toBeLessThan(3 + 16 + 2);
  });

  it('scans the XML limits as the text arrives: refused at the chunk that passes one, without reading on', async () => {
    const limits = { ...DEFAULT_XML_LIMITS, maxElements: 600 };
    // 1 KB chunks of 256 elements: the limit is passed in the third
    const body = chunked(Array.from({ length: 100 }, (_, i) => Buffer.from(i === 0 ? `<r>${'<x/>'.repeat(255)}<y>` : '<x/>'.repeat(256))));
    await expect(readXmlStream(body.stream, limits, limits.maxBytes, routeLimit)).rejects.toThrow('the XML holds more elements than 600 (CARNET_XML_MAX_ELEMENTS)');
    await new Promise((resolve) => setImmediate(resolve));
    // the stream's own read-ahead (16 KB) may fill, no more
    expect(body.read()).toBeLessThan(3 + 16 + 2);
    await expect(readXmlStream(chunked([Buffer.from('<!DOCTYPE r [<!ENTITY x "y">]>'), Buffer.from('<r/>')]).stream, limits, 1000, routeLimit)).rejects.toThrow('DOCTYPE and ENTITY declarations are not accepted');
    await expect(readXmlStream(chunked([Buffer.from('<r><!-- open')]).stream, limits, 1000, routeLimit)).rejects.toThrow('malformed XML: unterminated comment');
  });

  it("answers the route's own error when its body limit is the smaller one", async () => {
    const body = chunked([Buffer.alloc(600, 0x61), Buffer.alloc(600, 0x61)]);
    await expect(readXmlStream(body.stream, DEFAULT_XML_LIMITS, 1000, routeLimit)).rejects.toThrow('the route body limit');
  });
});
