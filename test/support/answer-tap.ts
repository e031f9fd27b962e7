// Every answer a test server sends, seen as it goes out on the socket: the body of each JSON or
// XML answer is handed to `onAnswer` when the answer ends. Below Fastify on purpose: no route,
// hook or stream of the server can send around it. Compressed and very large bodies are left out.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export interface Answer {
  method: string;
  url: string;
  status: number;
  contentType: string;
  body: string;
}

const TEXT_TYPES = /^application\/(fhir\+)?(json|xml)\b/i;
const MAX_BYTES = 8 * 1024 * 1024;

type Chunk = string | Uint8Array;

export function tapAnswers(server: Server, onAnswer: (a: Answer) => void): void {
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let kept: boolean | undefined;
    // Fastify hands its headers to writeHead, where getHeader does not see them.
    const given: Record<string, string> = {};
    const header = (name: string) => String(res.getHeader(name) ?? given[name] ?? '');
    const keep = () => (kept ??= TEXT_TYPES.test(header('content-type')) && !header('content-encoding'));
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      const headers = rest.find((r) => r && typeof r === 'object');
      if (headers && !Array.isArray(headers)) for (const [k, v] of Object.entries(headers)) given[k.toLowerCase()] = String(v);
      return writeHead(status, ...rest);
    }) as ServerResponse['writeHead'];
    const add = (chunk: unknown, encoding: unknown) => {
      if (!keep() || chunk === undefined || chunk === null || typeof chunk === 'function') return;
      const b = typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : Buffer.from(chunk as Uint8Array);
      size += b.length;
      if (size > MAX_BYTES) {
        kept = false;
        chunks.length = 0;
      } else chunks.push(b);
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((chunk: Chunk, ...rest: unknown[]) => {
      add(chunk, rest[0]);
      return write(chunk, ...rest);
    }) as ServerResponse['write'];
    res.end = ((chunk?: Chunk, ...rest: unknown[]) => {
      add(chunk, rest[0]);
      if (keep() && req.method !== 'HEAD') {
        onAnswer({ method: req.method ?? '', url: req.url ?? '', status: res.statusCode, contentType: header('content-type'), body: Buffer.concat(chunks).toString('utf8') });
      }
      return end(chunk, ...rest);
    }) as ServerResponse['end'];
  });
}
