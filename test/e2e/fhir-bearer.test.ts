// Who may call the FHIR door: bearer JWTs signed by a trusted key, not expired, for this
// audience. Everything else is a 401 OperationOutcome, whatever route is asked.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { openTestPglite } from '../support/stores.js';

const PROFESSIONAL = { sub: '810000000001', subject_type: 'professional', profession: '10', purpose_of_use: 'normal' };
const ISSUER = 'https://idp.example/realms/ps';

describe('bearer tokens on the FHIR door', () => {
  let db: Db;
  let dev: RunningApp;
  let prod: RunningApp;
  let jwksDir: string | undefined;
  let providerKey: CryptoKey;

  beforeAll(async () => {
    db = await openTestPglite();
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    providerKey = privateKey;
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' };
    jwksDir = mkdtempSync(join(tmpdir(), 'carnet-jwks-'));
    const jwksFile = join(jwksDir, 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify({ keys: [jwk] }));
    dev = await startTestApp(db);
    prod = await startTestApp(db, { CARNET_DEV_MODE: 'false', CARNET_JWKS_FILE: jwksFile, CARNET_TOKEN_ISSUER: ISSUER });
  });
  afterAll(async () => {
    await prod?.close();
    await dev?.close();
    await db?.close();
    if (jwksDir) rmSync(jwksDir, { recursive: true, force: true });
  });

  async function status(app: RunningApp, token?: string): Promise<{ status: number; body: { resourceType?: string }; challenge: string | null }> {
    const res = await fetch(`${app.baseUrl}/fhir/Practitioner`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.status, body: (await res.json()) as { resourceType?: string }, challenge: res.headers.get('www-authenticate') };
  }

  const providerToken = (claims: Record<string, unknown>, o: { aud?: string; iss?: string; exp?: number; key?: CryptoKey; kid?: string } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? 'idp-1' })
      .setIssuer(o.iss ?? ISSUER)
      .setAudience(o.aud ?? 'carnet')
      .setIssuedAt()
      .setExpirationTime(o.exp ?? Math.floor(Date.now() / 1000) + 600)
      .sign(o.key ?? providerKey);

  it('accepts a professional token of the identity provider', async () => {
    expect((await status(prod, await providerToken(PROFESSIONAL))).status).toBe(200);
  });

  it('answers 401 with an OperationOutcome and a Bearer challenge when no token is sent', async () => {
    const r = await status(prod);
    expect(r.status).toBe(401);
    expect(r.body.resourceType).toBe('OperationOutcome');
    expect(r.challenge).toMatch(/^Bearer /);
  });

  it('refuses an unsigned token (alg none)', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ ...PROFESSIONAL, aud: 'carnet', iss: ISSUER, exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
    expect((await status(prod, `${header}.${payload}.`)).status).toBe(401);
  });

  it('refuses an expired token', async () => {
    const r = await status(prod, await providerToken(PROFESSIONAL, { exp: Math.floor(Date.now() / 1000) - 3600 }));
    expect(r.status).toBe(401);
    expect(r.challenge).toMatch(/^Bearer /);
  });

  it('refuses a token meant for another audience or issuer', async () => {
    expect((await status(prod, await providerToken(PROFESSIONAL, { aud: 'another-service' }))).status).toBe(401);
    expect((await status(prod, await providerToken(PROFESSIONAL, { iss: 'https://evil.example' }))).status).toBe(401);
  });

  it('refuses a token signed by a key it does not trust, even under a trusted kid', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    expect((await status(prod, await providerToken(PROFESSIONAL, { key: privateKey }))).status).toBe(401);
    expect((await status(prod, await providerToken(PROFESSIONAL, { key: privateKey, kid: 'unknown' }))).status).toBe(401);
  });

  it('refuses, outside development mode, a professional token signed by the server\'s own key', async () => {
    const actor = { kind: 'professional' as const, idNatPs: '810000000001', profession: '10', mode: 'normal' };
    expect((await status(dev, await dev.tokenFor(actor))).status).toBe(200);
    expect((await status(prod, await prod.tokenFor(actor))).status).toBe(401);
  });
});
