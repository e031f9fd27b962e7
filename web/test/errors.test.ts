// What the server answers becomes the right sentence: its error code and reason are read from
// an OperationOutcome (FHIR door) or an {error} body (/auth), never shown as they are.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { errorKey } from '../src/api/errors';
import { ApiError, request, setUnauthorisedHandler } from '../src/api/http';

function answer(status: number, body: unknown, headers: Record<string, string> = {}) {
  vi.stubGlobal('fetch', async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } }));
}

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorisedHandler(null);
});

describe('reading the server\'s errors', () => {
  it('an OperationOutcome gives Carnet\'s error code and the rule\'s reason', async () => {
    answer(403, {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'forbidden', details: { coding: [{ system: 'https://carnet.example/fhir/CodeSystem/carnet-error-code', code: 'record_closed' }, { system: 'https://carnet.example/fhir/CodeSystem/carnet-reason', code: 'record_closed' }] } }],
    });
    const e = (await request('/fhir/Patient/x', { token: 't' }).catch((x) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect([e.status, e.code, e.reason]).toEqual([403, 'record_closed', 'record_closed']);
    expect(errorKey(e).key).toBe('errors.recordClosed');
  });

  it('an /auth error and its Retry-After', async () => {
    answer(429, { error: 'rate_limited', message: 'too many attempts; retry in 600 seconds' }, { 'retry-after': '600' });
    const e = (await request('/auth/login', { json: {} }).catch((x) => x)) as ApiError;
    expect(errorKey(e, 'login')).toEqual({ key: 'errors.tooManyAttempts', values: { minutes: 10 } });
  });

  it('a refused token ends the session that sent it (and only a call with a token does)', async () => {
    const ended: string[] = [];
    setUnauthorisedHandler((t) => ended.push(t));
    answer(401, { error: 'invalid_credentials' });
    await request('/auth/login', { json: {} }).catch(() => undefined);
    // (a token's 401 says why the session is refused; invalid_credentials is a wrong current
    // password, of a session that goes on: sessions.test.ts)
    answer(401, { error: 'session_ended' });
    await request('/fhir/Patient/x', { token: 'the-token' }).catch(() => undefined);
    expect(ended).toEqual(['the-token']);
  });

  it('the same status says different things in different places', () => {
    const e401 = new ApiError('http', 401, 'invalid_credentials');
    expect(errorKey(e401, 'login').key).toBe('errors.invalidCredentials');
    expect(errorKey(new ApiError('http', 401, 'invalid_code'), 'code').key).toBe('errors.invalidCode');
    expect(errorKey(e401).key).toBe('errors.sessionExpired');
    expect(errorKey(new ApiError('http', 422, 'password_policy'), 'password').key).toBe('errors.passwordPolicy');
    expect(errorKey(new ApiError('http', 404, 'not_found'), 'document').key).toBe('errors.documentNotFound');
    expect(errorKey(new ApiError('http', 503, 'unavailable', 'maintenance')).key).toBe('errors.maintenance');
    expect(errorKey(new ApiError('network', 0)).key).toBe('errors.network');
    expect(errorKey(new Error('boom')).key).toBe('errors.unexpected');
  });
});
