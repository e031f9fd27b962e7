#!/usr/bin/env node
// The container's health check: exits 0 when the server on this machine answers GET /health with
// 200 (its database answers too), 1 otherwise. Node's own fetch: the image has no curl.
const port = process.env.CARNET_PORT || process.env.PORT || '8080';
const url = process.argv[2] || `http://127.0.0.1:${port}/health`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) console.error(`health: ${url} answered ${res.status}`);
  process.exit(res.ok ? 0 : 1);
} catch (e) {
  console.error(`health: ${url} does not answer (${e.cause?.code ?? e.message})`);
  process.exit(1);
}
