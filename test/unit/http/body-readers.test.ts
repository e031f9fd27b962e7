// Issue 11: bodies are read under their limits while they arrive, not after. XML is decoded chunk
// by chunk (strict UTF-8 across chunk boundaries), refused at the chunk that passes a limit; a
// body for a worker thread is copied into blocks as it arrives, never joined on the event loop.
import { Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { readBlocks, readXmlStream } from '../../../src/http/bodies.js';
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
    expect((await readXmlStream(chunked(cuts).stream, DEFAULT_XML_LIMITS, 1000, routeLimit)).text).toBe('<a>é€😀</a>');
  });

  it('refuses invalid UTF-8 instead of storing U+FFFD, a truncated last character included', async () => {
    await expect(readXmlStream(chunked([Buffer.from('<a>'), Buffer.from([0xc3, 0x28]), Buffer.from('</a>')]).stream, DEFAULT_XML_LIMITS, 1000, routeLimit)).rejects.toThrow('the body is not valid UTF-8');
    await expect(readXmlStream(chunked([Buffer.from('<a>'), Buffer.from([0xe2, 0x82])]).stream, DEFAULT_XML_LIMITS, 1000, routeLimit)).rejects.toThrow('the body is not valid UTF-8');
  });

  it('refuses at the chunk that passes the XML limit, naming it, and only counts what follows (never decoded nor scanned)', async () => {
    const limits = { ...DEFAULT_XML_LIMITS, maxBytes: 2048 };
    // after the limit: invalid UTF-8 and a DTD, which a decoded or scanned chunk would report
    const after = [Buffer.from([0xc3, 0x28]), Buffer.from('<!DOCTYPE x>')];
    const body = chunked([...Array.from({ length: 3 }, () => Buffer.alloc(1024, 0x61)), ...after, ...Array.from({ length: 20 }, () => Buffer.alloc(1024, 0x61))]);
    await expect(readXmlStream(body.stream, limits, limits.maxBytes, routeLimit, 1024 * 1024)).rejects.toThrow('the XML part is larger than 2048 bytes (CARNET_XML_MAX_BYTES)');
    expect(body.read()).toBe(3 + 2 + 20 + 1);
  });

  it('stops reading a refused body once it passes the route limit', async () => {
    const limits = { ...DEFAULT_XML_LIMITS, maxBytes: 2048 };
    const body = chunked(Array.from({ length: 100 }, () => Buffer.alloc(1024, 0x61)));
    await expect(readXmlStream(body.stream, limits, limits.maxBytes, routeLimit, 8 * 1024)).rejects.toThrow('the XML part is larger than 2048 bytes (CARNET_XML_MAX_BYTES)');
    await new Promise((resolve) => setImmediate(resolve));
    // nine chunks passed the route limit; the stream's own read-ahead (16 KB) may fill, no more
    expect(body.read()).toBeLessThan(9 + 16 + 2);
  });

  it("answers the route's own error when its body limit is the smaller one", async () => {
    const body = chunked([Buffer.alloc(600, 0x61), Buffer.alloc(600, 0x61)]);
    await expect(readXmlStream(body.stream, DEFAULT_XML_LIMITS, 1000, routeLimit)).rejects.toThrow('the route body limit');
  });
});

describe('readBlocks', () => {
  it('holds the body in blocks of 1 MB, chunks cut across them, byte for byte', async () => {
    const body = Buffer.alloc(2.5 * 1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31) % 251;
    const chunks = [];
    for (let at = 0; at < body.length; at += 70_001) chunks.push(body.subarray(at, at + 70_001));
    const read = await readBlocks(chunked(chunks).stream, 10 * 1024 * 1024, routeLimit);
    expect(read.length).toBe(body.length);
    expect(read.blocks.map((b) => b.byteLength)).toEqual([1024 * 1024, 1024 * 1024, 0.5 * 1024 * 1024]);
    expect(Buffer.concat(read.blocks.map((b) => new Uint8Array(b))).equals(body)).toBe(true);
  });

  it('sizes its first block from the announced length (no zeroed megabyte for a small body); a body longer than announced goes on in further blocks, whole', async () => {
    const body = Buffer.alloc(30_000);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) % 253;
    const chunks = [body.subarray(0, 12_345), body.subarray(12_345)];
    const exact = await readBlocks(chunked(chunks).stream, 1024 * 1024, routeLimit, body.length);
    expect(exact.blocks.map((b) => b.byteLength)).toEqual([30_000]);
    expect(Buffer.from(exact.blocks[0]!).equals(body)).toBe(true);
    const longer = await readBlocks(chunked(chunks).stream, 1024 * 1024, routeLimit, 10_000);
    expect(longer.blocks.map((b) => b.byteLength)).toEqual([10_000, 20_000]);
    expect(Buffer.concat(longer.blocks.map((b) => new Uint8Array(b))).equals(body)).toBe(true);
    // no usable length announced: blocks of 1 MB, as before
    const unknown = await readBlocks(chunked(chunks).stream, 1024 * 1024, routeLimit, Number.NaN);
    expect(unknown.blocks.map((b) => b.byteLength)).toEqual([30_000]);
    expect(unknown.length).toBe(30_000);
  });

  it('an empty body is no block at all', async () => {
    expect(await readBlocks(chunked([]).stream, 1000, routeLimit)).toEqual({ blocks: [], length: 0 });
  });

  it('refuses at the chunk that passes the limit', async () => {
    const body = chunked(Array.from({ length: 100 }, () => Buffer.alloc(1024, 0x61)));
    await expect(readBlocks(body.stream, 4096, routeLimit)).rejects.toThrow('the route body limit');
    await new Promise((resolve) => setImmediate(resolve));
    expect(body.read()).toBeLessThan(5 + 16 + 2);
  });
});
