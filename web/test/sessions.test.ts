// The sessions of the tab: the terms of use (CGU) hold a session back until they are accepted,
// whether the login said so or the server refused a call for that reason.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { errorKey } from '../src/api/errors';
import { ApiError, request, setTermsRequiredHandler, setUnauthorisedHandler } from '../src/api/http';
import { sessionOf } from '../src/session/linked';
import { currentSession, sessions } from '../src/session/store';

const base = { expiresAt: Date.now() + 600_000, role: 'patient' as const, login: 'jeanne.durand' };

function answer(status: number, body: unknown) {
  vi.stubGlobal('fetch', async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
}

beforeEach(() => sessions.logout());
afterEach(() => {
  vi.unstubAllGlobals();
  setTermsRequiredHandler(null);
  setUnauthorisedHandler(null);
});

describe('the terms of use in the tab\'s sessions', () => {
  it('a session opened with terms to accept is held back; accepting replaces its token and keeps the record', () => {
    sessions.add({ ...base, token: 'restricted', patientId: 'p1', termsPending: '2026-01' });
    expect(currentSession()?.termsPending).toBe('2026-01');
    sessions.termsAccepted('restricted', 'ordinary', base.expiresAt + 1000);
    expect(currentSession()).toMatchObject({ token: 'ordinary', patientId: 'p1', termsPending: undefined, expiresAt: base.expiresAt + 1000 });
  });

  it('a 403 for the terms (FHIR reason or /auth code) marks the session that sent it; another 403 does not', async () => {
    sessions.add({ ...base, token: 'a', patientId: 'p1' });
    sessions.add({ ...base, token: 'b', patientId: 'p2' });
    setTermsRequiredHandler((t) => sessions.termsRequired(t));
    answer(403, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', details: { coding: [{ system: 'https://carnet.example/fhir/CodeSystem/carnet-reason', code: 'terms_acceptance_required' }] } }] });
    const e = (await request('/fhir/Patient/p1', { token: 'a' }).catch((x) => x)) as ApiError;
    expect(errorKey(e).key).toBe('errors.termsRequired');
    answer(403, { error: 'forbidden' });
    await request('/auth/contact', { token: 'b' }).catch(() => undefined);
    expect(sessions.get().sessions.map((s) => [s.patientId, s.termsPending])).toEqual([['p1', ''], ['p2', undefined]]);
    answer(403, { error: 'terms_acceptance_required' });
    await request('/auth/contact', { token: 'b' }).catch(() => undefined);
    expect(sessions.get().sessions.find((s) => s.patientId === 'p2')?.termsPending).toBe('');
  });

  it('a version that changed in the meantime is a sentence of its own', () => {
    expect(errorKey(new ApiError('http', 422, 'terms_version_mismatch'), 'terms').key).toBe('errors.termsChanged');
  });
});

describe('one login for several records (MIN-01/02)', () => {
  const verified = {
    access_token: 't-lea',
    expires_in: 1800,
    password_change_required: false,
    terms_acceptance_required: false,
    patient: 'lea',
    holder: { role: 'legal_representative' as const, representativeId: 'r1' },
    records: [
      { patient: 'lea', holder: { role: 'legal_representative' as const, representativeId: 'r1' } },
      { patient: 'hugo', holder: { role: 'legal_representative' as const, representativeId: 'r2' } },
    ],
  };

  it('the login\'s answer names the records still to open beside the first; opening one keeps the first open', () => {
    const s = sessionOf(verified, 'claire');
    expect(s).toMatchObject({ patientId: 'lea', role: 'legal_representative', representativeId: 'r1', others: ['hugo'], termsPending: undefined });
    sessions.add(s);
    sessions.addBeside(sessionOf({ ...verified, access_token: 't-hugo', patient: 'hugo', holder: verified.records[1].holder }, 'claire'));
    sessions.othersOpened('t-lea');
    expect(currentSession()).toMatchObject({ patientId: 'lea', others: undefined });
    expect(sessions.get().sessions.map((x) => x.patientId)).toEqual(['lea', 'hugo']);
    sessions.open('hugo');
    expect(currentSession()?.token).toBe('t-hugo');
  });

  it('terms to accept hold the session back and keep its other records for later', () => {
    expect(sessionOf({ ...verified, terms_acceptance_required: true, terms_version: '2026-01' }, 'claire')).toMatchObject({ termsPending: '2026-01', others: ['hugo'] });
  });
});

describe('a token the tab lets go of ends on the server (AUTH-01)', () => {
  /** The tokens the page asked the server to end (POST /auth/logout), answered 204. */
  function endedTokens(): string[] {
    const ended: string[] = [];
    vi.stubGlobal('fetch', async (path: string, init: RequestInit) => {
      if (path === '/auth/logout') ended.push(String((init.headers as Record<string, string>).authorization).replace('Bearer ', ''));
      return new Response(null, { status: 204 });
    });
    return ended;
  }

  it('AUTH-01: a new login over a held session of the same record ends the old one; other records stay open', () => {
    sessions.add({ ...base, token: 'other-record', patientId: 'p2' });
    sessions.add({ ...base, token: 'old', patientId: 'p1' });
    const ended = endedTokens();
    sessions.add({ ...base, token: 'new', patientId: 'p1' });
    expect(ended).toEqual(['old']);
    expect(sessions.get().sessions.map((s) => s.token)).toEqual(['other-record', 'new']);
  });

  it('MIN-01/02: a switch that opened a record the tab holds already ends the newcomer and keeps the held one', () => {
    sessions.add({ ...base, token: 't-lea', patientId: 'lea' });
    sessions.addBeside({ ...base, token: 't-hugo', patientId: 'hugo' });
    const ended = endedTokens();
    sessions.addBeside({ ...base, token: 't-hugo-2', patientId: 'hugo' });
    expect(ended).toEqual(['t-hugo-2']);
    expect(sessions.get().sessions.map((s) => s.token)).toEqual(['t-lea', 't-hugo']);
  });

  it('AUTH-01: ending a replaced session is best effort: a refusal or a lost connection shows nothing and the new session stands', async () => {
    sessions.add({ ...base, token: 'old', patientId: 'p1' });
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('network down');
    });
    sessions.add({ ...base, token: 'new', patientId: 'p1' });
    answer(401, { error: 'unauthenticated' });
    sessions.add({ ...base, token: 'newer', patientId: 'p1' });
    await new Promise((r) => setTimeout(r, 0));
    expect(currentSession()?.token).toBe('newer');
  });

  it('AUTH-01: a wrong current password (401 invalid_credentials) does not end the session that asked', async () => {
    sessions.add({ ...base, token: 'held', patientId: 'p1' });
    const expired: string[] = [];
    setUnauthorisedHandler((t) => expired.push(t));
    answer(401, { error: 'invalid_credentials', message: 'the current password is wrong' });
    await request('/auth/password', { token: 'held', json: { newPassword: 'x', currentPassword: 'y' } }).catch(() => undefined);
    expect(expired).toEqual([]);
    answer(401, { error: 'unauthenticated' });
    await request('/auth/contact', { token: 'held' }).catch(() => undefined);
    expect(expired).toEqual(['held']);
  });
});
