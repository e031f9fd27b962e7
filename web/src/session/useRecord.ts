// The open record and the calls made with its session. Pages under RequireSession use it.
import { useMemo } from 'react';
import { request, requestJson } from '../api/http';
import { currentSession, useSessions, type RecordSession } from './store';

export interface RecordApi {
  session: RecordSession;
  patientId: string;
  token: string;
  get<T>(path: string): Promise<T>;
  send<T>(method: string, path: string, json?: unknown, contentType?: string): Promise<T>;
  raw(path: string, accept?: string): Promise<Response>;
}

export function recordApi(session: RecordSession): RecordApi {
  const token = session.token;
  return {
    session,
    patientId: session.patientId,
    token,
    get: <T,>(path: string) => requestJson<T>(`/fhir${path}`, { token }),
    send: <T,>(method: string, path: string, json?: unknown, contentType?: string) => requestJson<T>(`/fhir${path}`, { method, token, json, contentType }),
    raw: (path: string, accept?: string) => request(path.startsWith('/') ? path : `/fhir/${path}`, { token, accept: accept ?? '*/*' }),
  };
}

export function useRecord(): RecordApi {
  const state = useSessions();
  const session = currentSession(state);
  if (!session) throw new Error('useRecord outside of an open session');
  return useMemo(() => recordApi(session), [session]);
}
