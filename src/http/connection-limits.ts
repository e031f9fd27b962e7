// Connections a client holds without finishing a request cost the server a socket each: a
// "slowloris" client opens thousands and sends their headers a byte at a time, until the process
// runs out of file descriptors and honest clients cannot connect. Three bounds stop it:
// - the request head must arrive within `headersTimeoutMs` (Node's own check, answered 408 and
//   closed; the whole request still has `requestTimeoutMs`);
// - at most `max` connections at once (Node's own bound: past it new sockets are closed);
// - at most `perClient` from one client (an IPv4 address or an IPv6 /64: `clientOf`; 0: no
//   per-client bound, for a deployment behind a proxy whose connections all come from one
//   address): past it the new connection is answered a 503 with Retry-After and closed at once;
//   a request already under way on it is dropped at its first hook, before any handler reads it
//   (`refusedConnection`).
// A connection kept alive after an answer, with no request under way, is closed after
// `keepAliveTimeoutMs` (Fastify's default, 72 s, held an idle socket seven times as long as a
// late head; set it above the idle timeout of a proxy that keeps connections to the server).
// A client may also send its requests whole and then stop reading the answers: once the sockets'
// buffers are full nothing moves, and neither time limit above applies any more (both end when
// the request has arrived). Such a connection is closed once nothing moved on it, in either
// direction, for `requestTimeoutMs` (the socket's idle timeout; an answer still being computed
// that long is past the request's time anyway): Fastify's `connectionTimeout`, set in server.ts.
import type { Server, ServerOptions } from 'node:http';
import { isIPv4, isIPv6, type Socket } from 'node:net';
import { rawOutcomeAnswer } from './raw-answers.js';

/**
 * The client a connection is counted against: its IPv4 address (an IPv4-mapped IPv6 address is
 * the same client), or its IPv6 /64. One host or site is given a whole /64 and may use any of its
 * 2^64 addresses at no cost, so counting IPv6 addresses one by one bounds nothing.
 */
export function clientOf(address: string | undefined): string {
  if (!address) return '';
  const bare = address.split('%')[0]!.toLowerCase();
  if (isIPv4(bare)) return bare;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (!isIPv6(bare)) return bare;
  // The first four groups, the `::` expanded: `2001:db8:1:2::1` and `2001:0db8:1:2:0:0:0:ffff` alike.
  const [head, tail = ''] = bare.split('::') as [string, string?];
  const left = head ? head.split(':') : [];
  const right = bare.includes('::') && tail ? tail.split(':') : [];
  const groups = bare.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

export interface ConnectionLimits {
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  max: number;
  perClient: number;
}

/** The options of Node's HTTP server for these limits (given when the server is created). */
export function httpServerOptions(limits: ConnectionLimits, requestTimeoutMs: number): ServerOptions {
  return {
    headersTimeout: Math.min(limits.headersTimeoutMs, requestTimeoutMs),
    // Node checks the two timeouts on this interval (30 s by default): a quarter of the head's
    // budget keeps the cut within 25 % of it.
    connectionsCheckingInterval: Math.max(100, Math.floor(Math.min(limits.headersTimeoutMs, requestTimeoutMs) / 4)),
  };
}

const TOO_MANY = rawOutcomeAnswer(503, 'throttled', 'Too many connections from this client: retry later', { 'Retry-After': '1' });

const refused = new WeakSet<Socket>();

/** Whether this request's connection was answered 503 by the per-client bound (nothing to do). */
export function refusedConnection(socket: Socket): boolean {
  return refused.has(socket);
}

/** Applies the global and per-client bounds to a created server. */
export function limitConnections(server: Server, limits: ConnectionLimits): void {
  server.maxConnections = limits.max;
  if (limits.perClient <= 0) return;
  const open = new Map<string, number>();
  // Before Node's HTTP parser sees the socket: an answered socket is never read.
  server.prependListener('connection', (socket: Socket) => {
    const client = clientOf(socket.remoteAddress);
    const count = (open.get(client) ?? 0) + 1;
    open.set(client, count);
    socket.once('close', () => {
      const left = (open.get(client) ?? 1) - 1;
      if (left > 0) open.set(client, left);
      else open.delete(client);
    });
    if (count > limits.perClient) {
      refused.add(socket);
      socket.end(TOO_MANY);
    }
  });
}
