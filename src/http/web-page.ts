// The web space for patients and legal representatives: the files built from `web/` (by
// `npm run build`) served at `/`, under a strict Content-Security-Policy. The page is a client
// of the FHIR door and of /auth like any other; nothing here decides anything.
//
// - `/assets/*` carry a content hash in their names: cached for a year. `index.html` is never
//   cached, so a new build is seen at the next visit.
// - Deep links of the page (`/documents/…`) are browser navigations (Accept: text/html) to a
//   path that no route and no file answers, outside the doors' ground (a first path segment that
//   no route uses): they get index.html, and the page routes them. The doors keep their 404s.
// - Compressed copies (.br, .gz) written by the build are sent to clients that accept them.
// - No build (a fresh checkout before `npm run build`): `/` answers a sentence saying so, and
//   the doors work as usual.
// - index.html is sent with a fresh nonce for each answer, named in the CSP's style-src and in a
//   `csp-nonce` meta element: the accessibility library adds small <style> elements of its own
//   (touch behaviour, scroll locking under a dialog) and reads that nonce to do so. Scripts have
//   no nonce: only the page's own files run.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * What the page may load and where it may connect: only its own origin. No inline script, no
 * eval, no plugin, no framing; styles from the page's files, or with this answer's nonce.
 */
export function pageCsp(styleNonce: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${styleNonce}'`,
    "img-src 'self' blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const PAGE_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

declare module 'fastify' {
  interface FastifyInstance {
    /** answers a browser navigation that no route took with the page, when there is one */
    pageFallback?: (req: FastifyRequest, reply: FastifyReply) => boolean;
  }
}

/** A browser navigation to a path of the page: GET/HEAD, asking for HTML, no file extension, not a door's path. */
export function isPageNavigation(req: FastifyRequest, isDoorSegment: (segment: string) => boolean): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = req.url.split('?')[0];
  // index.html by its name is the page too (with its nonce, never as a plain file)
  if (path === '/index.html') return true;
  const accept = String(req.headers.accept ?? '');
  if (!/\btext\/html\b/i.test(accept)) return false;
  const last = path.slice(path.lastIndexOf('/') + 1);
  return !last.includes('.') && !isDoorSegment(path.split('/')[1] ?? '');
}

const NOT_BUILT =
  'Carnet: the web page is not built. Run `npm run build` (npm install runs it), then restart the server. ' +
  'The FHIR door (/fhir) and /auth work without it.\n';

export async function registerWebPage(app: FastifyInstance, webDir: string): Promise<{ built: boolean }> {
  const root = resolve(webDir);
  const built = existsSync(resolve(root, 'index.html'));
  if (!built) {
    app.log.warn({ webDir: root }, 'the web page is not built (npm run build): / explains it');
    app.get('/', async (_req, reply) => reply.code(503).type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT));
    return { built };
  }
  const template = readFileSync(resolve(root, 'index.html'), 'utf8');
  const sendIndex = (reply: FastifyReply) => {
    const nonce = randomBytes(16).toString('base64');
    for (const [k, v] of Object.entries(PAGE_HEADERS)) reply.header(k, v);
    return reply
      .header('content-security-policy', pageCsp(nonce))
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(template.replace('<head>', `<head>\n    <meta name="csp-nonce" content="${nonce}" />`));
  };
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    preCompressed: true,
    // The files present at start, one route each: the doors' routes and 404s stay theirs.
    wildcard: false,
    // index.html goes out with its nonce (below), never as a plain file.
    index: false,
    allowedPath: (path) => path !== '/index.html',
    cacheControl: false,
    setHeaders(res, path) {
      for (const [k, v] of Object.entries(PAGE_HEADERS)) res.setHeader(k, v);
      // the page's files (scripts, the PDF worker, styles) need no more than their own origin
      res.setHeader('content-security-policy', "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
      res.setHeader('cache-control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.get('/', async (_req, reply) => sendIndex(reply));
  app.decorate('pageFallback', (req: FastifyRequest, reply: FastifyReply) => {
    if (!isPageNavigation(req, (segment) => app.routeIndex.hasFirstSegment(segment))) return false;
    void sendIndex(reply);
    return true;
  });
  return { built };
}
