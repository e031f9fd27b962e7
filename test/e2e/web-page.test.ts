// The web page as Carnet serves it, on a real port: the built files at / under a strict
// Content-Security-Policy with a fresh style nonce per page, deep links of the page answered with
// index.html while the doors keep their own 404s, compressed copies, and a clear sentence (not a
// crash) when the page is not built.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type RunningApp } from '../support/app.js';
import { openTestPglite } from '../support/stores.js';
import type { Db } from '../../src/store/db.js';

const SCRIPT = `console.log(${JSON.stringify('x'.repeat(4000))});`;

describe('the web page served at /', () => {
  let db: Db;
  let built: RunningApp;
  let bare: RunningApp;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carnet-web-'));
    mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><html lang="fr"><head><title>Carnet</title><script type="module" src="/assets/app-1a2b.js"></script></head><body><div id="root"></div></body></html>');
    writeFileSync(join(dir, 'dist', 'assets', 'app-1a2b.js'), SCRIPT);
    writeFileSync(join(dir, 'dist', 'assets', 'app-1a2b.js.br'), brotliCompressSync(Buffer.from(SCRIPT)));
    mkdirSync(join(dir, 'empty'));
    db = await openTestPglite();
    built = await startTestApp(db, { CARNET_WEB_DIR: join(dir, 'dist') });
    bare = await startTestApp(db, { CARNET_WEB_DIR: join(dir, 'empty') });
  });
  afterAll(async () => {
    await built?.close();
    await bare?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (app: RunningApp, path: string, headers: Record<string, string> = {}) => fetch(`${app.baseUrl}${path}`, { headers });

  it('serves index.html at / with a strict CSP: scripts from the page only, no inline script, a fresh style nonce each time', async () => {
    const a = await get(built, '/');
    const b = await get(built, '/');
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = a.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    expect(await a.text()).toContain(`<meta name="csp-nonce" content="${nonce}" />`);
    expect(b.headers.get('content-security-policy')).not.toBe(csp);
    expect(a.headers.get('x-content-type-options')).toBe('nosniff');
    expect(a.headers.get('cache-control')).toBe('no-cache');
  });

  it('a deep link of the page is index.html; a door\'s unknown path, an unknown file and an API client keep their 404', async () => {
    const deep = await get(built, '/documents/1234?debut=20', { accept: 'text/html,application/xhtml+xml' });
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<div id="root">');
    expect(deep.headers.get('content-security-policy')).toContain("script-src 'self'");
    for (const path of ['/fhir/Nothing', '/auth/nothing', '/assets/missing.js']) {
      const res = await get(built, path, { accept: 'text/html' });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    expect((await get(built, '/documents/1234', { accept: 'application/fhir+json' })).status).toBe(404);
    // the doors are unchanged
    expect((await get(built, '/fhir/metadata')).status).toBe(200);
    expect((await get(built, '/health')).status).toBe(200);
  });

  it('hashed assets are cached for a year and sent compressed to browsers that accept it', async () => {
    const res = await get(built, '/assets/app-1a2b.js', { 'accept-encoding': 'br, gzip' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('br');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await res.text()).toBe(SCRIPT);
    const index = await get(built, '/index.html');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toMatch(/'nonce-[^']+'/);
  });

  it('without a build, / says in one sentence how to build the page, and the doors work', async () => {
    const res = await get(bare, '/', { accept: 'text/html' });
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/web page is not built\. Run `npm run build`/);
    expect((await get(bare, '/fhir/metadata')).status).toBe(200);
  });
});
