// HTTP/1.1 lets a client send its requests one after the other without waiting for the answers
// (pipelining), and Node parses every request of a chunk it has read before any is answered: a
// few kilobytes of `GET /fhir/StructureDefinition` lines had the server build hundreds of answers
// of 750 KB at once, each held in memory until the client read it (200 such lines, never read:
// +470 MB on one connection). The answers leave in the order of the requests anyway, so a request
// waits for the answer before it on its connection to have left before it is handled: a
// connection then holds at most one answer waiting for its client.
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** the last answer begun on each connection */
const lastAnswer = new WeakMap<Socket, ServerResponse>();
/** resolves when the connection closes (one listener per connection, however many wait) */
const closing = new WeakMap<Socket, Promise<void>>();

/**
 * Registers `answer` as its connection's latest; resolves once the answer begun before it has
 * gone out (or failed, or the connection closed). Undefined when there is nothing to wait for:
 * the usual case of a request sent after the previous answer was read.
 */
export function earlierAnswerSent(socket: Socket, answer: ServerResponse): Promise<void> | undefined {
  const before = lastAnswer.get(socket);
  lastAnswer.set(socket, answer);
  if (!before || before.writableFinished || before.destroyed || socket.destroyed) return undefined;
  let closed = closing.get(socket);
  if (!closed) {
    closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    closing.set(socket, closed);
  }
  // Only the next request waits on an answer: two listeners per answer at most.
  const sent = new Promise<void>((resolve) => {
    before.once('finish', () => resolve());
    before.once('close', () => resolve());
  });
  return Promise.race([sent, closed]);
}
