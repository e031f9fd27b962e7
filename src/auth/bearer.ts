// Verifies `Authorization: Bearer` JWTs: signature by a trusted key (a JWKS file or URL of the
// identity provider, plus the server's own key), expiry, issuer and audience. Tokens signed by
// the server's own key may name professionals only in development mode: in production those
// come from the identity provider.
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Actor } from '../domain/actor.js';
import { CarnetError } from '../domain/errors.js';
import { claimsToActor, type CarnetClaims } from './claims.js';
import { LOCAL_ALG, type LocalKeys } from './local-keys.js';
import { createVerifiedCache } from './verified-cache.js';

export interface BearerOptions {
  audience: string;
  issuer?: string;
  /** JWKS of the identity provider, as a file path or an https URL */
  jwksFile?: string;
  jwksUrl?: string;
  localKeys: LocalKeys;
  /** local key may also sign professional and support tokens */
  devMode: boolean;
  clockToleranceSeconds?: number;
  now?: () => Date;
  /** tokens whose signature was verified, kept at most (default 10,000; 0 verifies every time) */
  cacheEntries?: number;
}

export const LOCAL_ISSUER = 'urn:carnet:local';

/** Why a token was refused, for the security log: missing, malformed, unsigned, untrusted, invalid_signature, expired, foreign. */
function refused(reason: string, message: string): CarnetError {
  return new CarnetError('unauthenticated', message, { reason });
}

export interface BearerVerifier {
  verify(token: string): Promise<{ actor: Actor; claims: CarnetClaims & JWTPayload }>;
  /** signs a token with the server's own key (patient sessions; test tokens in development) */
  sign(claims: CarnetClaims, ttlSeconds: number): Promise<string>;
  /** tokens whose signature is remembered as verified (their expiry and audience are not) */
  readonly cachedTokens: number;
}

export function createBearerVerifier(o: BearerOptions): BearerVerifier {
  const local = createLocalJWKSet({ keys: [o.localKeys.publicJwk] });
  const provider = o.jwksUrl
    ? createRemoteJWKSet(new URL(o.jwksUrl))
    : o.jwksFile
      ? createLocalJWKSet(JSON.parse(readFileSync(o.jwksFile, 'utf8')) as { keys: JWK[] })
      : null;
  const tolerance = o.clockToleranceSeconds ?? 30;
  const nowMs = () => (o.now?.() ?? new Date()).getTime();
  // Signatures verified once; a key withdrawn from the provider's JWKS stops counting within 5 min.
  const verified = createVerifiedCache<JWTPayload>({ maxEntries: o.cacheEntries ?? 10_000, maxAgeMs: 5 * 60_000, now: nowMs });

  /** What jwtVerify checks besides the signature, checked again on every request served from the cache. */
  function checkTimeAndAudience(payload: JWTPayload, isLocal: boolean): void {
    const now = nowMs() / 1000;
    if (typeof payload.exp !== 'number' || now - tolerance >= payload.exp) throw refused('expired', 'the token has expired');
    if (typeof payload.nbf === 'number' && now + tolerance < payload.nbf) throw refused('foreign', 'the token is not meant for this server (not yet valid)');
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!audiences.includes(o.audience)) throw refused('foreign', 'the token is not meant for this server (audience)');
    const issuer = isLocal ? LOCAL_ISSUER : o.issuer;
    if (issuer !== undefined && payload.iss !== issuer) throw refused('foreign', 'the token is not meant for this server (issuer)');
  }

  return {
    async verify(token) {
      let kid: string | undefined;
      let alg: string | undefined;
      try {
        ({ kid, alg } = decodeProtectedHeader(token));
      } catch {
        throw refused('malformed', 'the bearer token is not a JWT');
      }
      if (alg === 'none') throw refused('unsigned', 'the token is not signed');
      const isLocal = kid === o.localKeys.kid;
      if (!isLocal && !provider) throw refused('untrusted', 'the token is signed by an unknown key');
      const cacheKey = [isLocal ? 'local' : 'provider', token];
      let payload: JWTPayload | undefined = verified.get(cacheKey);
      if (payload) checkTimeAndAudience(payload, isLocal);
      else {
        try {
          const result = await jwtVerify(token, isLocal ? local : provider!, {
            audience: o.audience,
            issuer: isLocal ? LOCAL_ISSUER : o.issuer,
            clockTolerance: tolerance,
            currentDate: o.now?.(),
            algorithms: isLocal ? [LOCAL_ALG] : ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'PS256'],
            requiredClaims: ['exp'],
          });
          payload = result.payload;
          verified.set(cacheKey, payload, (payload.exp! + tolerance) * 1000);
        } catch (e) {
          const code = (e as { code?: string }).code ?? '';
          if (code === 'ERR_JWT_EXPIRED') throw refused('expired', 'the token has expired');
          if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') throw refused('foreign', `the token is not meant for this server (${(e as Error).message})`);
          if (code === 'ERR_JWKS_NO_MATCHING_KEY') throw refused('untrusted', 'the token is signed by an unknown key');
          throw refused('invalid_signature', 'the token signature is not valid');
        }
      }
      // A copy: the cached payload is shared by every request that carries this token.
      const claims = { ...payload } as CarnetClaims & JWTPayload;
      if (isLocal && !o.devMode && (claims.subject_type === 'professional' || claims.subject_type === 'support')) {
        throw refused('untrusted', 'professional tokens come from the identity provider, not from this server');
      }
      try {
        return { actor: claimsToActor(claims), claims };
      } catch (e) {
        // a signed token that names nobody usable
        throw e instanceof CarnetError ? refused('malformed', e.message) : e;
      }
    },

    get cachedTokens() {
      return verified.size;
    },

    async sign(claims, ttlSeconds) {
      const now = Math.floor((o.now?.() ?? new Date()).getTime() / 1000);
      return new SignJWT({ ...claims } as JWTPayload)
        .setProtectedHeader({ alg: LOCAL_ALG, kid: o.localKeys.kid, typ: 'JWT' })
        .setIssuer(LOCAL_ISSUER)
        .setAudience(o.audience)
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        // the session's id: POST /auth/logout ends it by this id
        .setJti(randomUUID())
        .sign(o.localKeys.privateKey);
    },
  };
}
