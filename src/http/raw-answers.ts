// Answers written on the socket itself, before any request exists for Fastify to answer: a
// connection past the per-client bound, a request line Node cannot parse, a head past Node's size
// limit or not arrived in time. Fastify's own were JSON of its own shape (`{"error":…,
// "statusCode":…}`) and the bound's plain text; they are OperationOutcomes, as every other
// refusal of the server. No path is known yet, so an XDS client gets one too: a SOAP Fault needs
// a request to relate to, which Node never parsed.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { errorOutcome, type IssueType } from '../fhir/outcome.js';

/** A whole HTTP/1.1 answer whose body is an OperationOutcome; the connection closes after it. */
export function rawOutcomeAnswer(status: number, code: IssueType, diagnostics: string, headers: Record<string, string> = {}): string {
  const body = JSON.stringify(errorOutcome(code, diagnostics));
  const head = Object.entries({
    'Content-Type': 'application/fhir+json',
    'Content-Length': String(Buffer.byteLength(body)),
    // ACC-08: as every answer of the doors, kept by no cache
    'Cache-Control': 'no-store',
    // as every answer of the server (server.ts)
    'X-Content-Type-Options': 'nosniff',
    Connection: 'close',
    ...headers,
  })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head}\r\n${body}`;
}

/** What Node found wrong with what arrived, as the answer's status, issue code and words. */
function refusalOf(code: string | undefined): [number, IssueType, string] {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'timeout', 'the request head did not arrive in time (CARNET_HEADERS_TIMEOUT_MS)'];
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'too-long', 'the request head (request line and headers) is larger than the server accepts'];
  return [400, 'invalid', 'the request cannot be read as HTTP/1.1'];
}

/** Fastify's clientErrorHandler: Node's refusals of what is not yet a request. */
export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  // a connection reset: nobody is left to answer
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, diagnostics] = refusalOf(err.code);
  if (socket.writable) socket.end(rawOutcomeAnswer(status, code, diagnostics));
  // what the client still sends is not read: the answer leaves, then the socket closes
  socket.destroySoon();
}
