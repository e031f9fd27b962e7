// Sending a built request with the global fetch and capturing the full exchange.
import { bodyFormat, parseResource } from './format.js';
import type { HttpRequest } from './request.js';
import type { HttpExchange } from './types.js';

/** A server under test that never answers must not hang the run. */
const TIMEOUT_MS = 120_000;

export async function send(request: HttpRequest): Promise<HttpExchange> {
  const res = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = await res.text();
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  const format = bodyFormat(headers['content-type'], body);
  return {
    request,
    response: { status: res.status, headers, body, format, resource: parseResource(body, format) },
  };
}
