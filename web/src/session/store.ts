// The sessions open in this browser tab: one per record (a legal representative of two minors
// holds one account, so one session, per child's record, and switches between them). Kept in
// sessionStorage so that a reload keeps them; closing the tab or logging out forgets them.
// Logging out ends the session on the server (POST /auth/logout), then forgets the token.
import { useSyncExternalStore } from 'react';
import { endSession } from '../api/auth';

export interface RecordSession {
  token: string;
  /** ms since the epoch */
  expiresAt: number;
  /** the Patient id of the record this session opens */
  patientId: string;
  role: 'patient' | 'legal_representative';
  representativeId?: string;
  login: string;
  /**
   * The version of the terms of use to accept before anything else (the login said so); the
   * empty string when the server refused a call for that reason without the page knowing the
   * version (a new login tells it).
   */
  termsPending?: string;
  /** MIN-01/02: the other records this session's login reaches, still to be opened in the tab */
  others?: string[];
}

export interface SessionState {
  sessions: RecordSession[];
  current: string | null;
  /** set when the current session ran out: where the person was, to go back after logging in */
  expiredAt: string | null;
  /** the person logged out of the last record (the login page says so) */
  loggedOut?: boolean;
}

const KEY = 'carnet.sessions';
const empty: SessionState = { sessions: [], current: null, expiredAt: null };

function load(): SessionState {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return empty;
    const s = JSON.parse(raw) as SessionState;
    const sessions = (s.sessions ?? []).filter((x) => x.expiresAt > Date.now());
    const current = sessions.some((x) => x.patientId === s.current) ? s.current : (sessions[0]?.patientId ?? null);
    return { sessions, current, expiredAt: s.expiredAt ?? null };
  } catch {
    return empty;
  }
}

let state: SessionState = typeof sessionStorage === 'undefined' ? empty : load();
const listeners = new Set<() => void>();

function set(next: SessionState): void {
  state = next;
  try {
    sessionStorage.setItem(KEY, JSON.stringify(state));
  } catch {
    // private mode without storage: the session lives in memory only
  }
  for (const l of listeners) l();
}

export const sessions = {
  get: (): SessionState => state,
  subscribe(l: () => void): () => void {
    listeners.add(l);
    return () => listeners.delete(l);
  },
  /** A new session for a record; it becomes the open one. */
  add(s: RecordSession): void {
    set({ sessions: [...state.sessions.filter((x) => x.patientId !== s.patientId), s], current: s.patientId, expiredAt: null, loggedOut: false });
  },
  /** Another record of the same login, opened beside the current one (which stays open). */
  addBeside(s: RecordSession): void {
    if (state.sessions.some((x) => x.patientId === s.patientId)) return;
    set({ ...state, sessions: [...state.sessions, s] });
  },
  /** The other records of this session's login were opened (or tried). */
  othersOpened(token: string): void {
    set({ ...state, sessions: state.sessions.map((x) => (x.token === token ? { ...x, others: undefined } : x)) });
  },
  open(patientId: string): void {
    if (state.sessions.some((x) => x.patientId === patientId)) set({ ...state, current: patientId });
  },
  /** The terms were accepted: the server's ordinary session replaces the restricted one. */
  termsAccepted(oldToken: string, token: string, expiresAt: number): void {
    set({ ...state, sessions: state.sessions.map((x) => (x.token === oldToken ? { ...x, token, expiresAt, termsPending: undefined } : x)) });
  },
  /** The server refused a call of this session until the terms are accepted. */
  termsRequired(token: string): void {
    if (!state.sessions.some((x) => x.token === token && x.termsPending === undefined)) return;
    set({ ...state, sessions: state.sessions.map((x) => (x.token === token ? { ...x, termsPending: '' } : x)) });
  },
  /** The session holding this token is over (expired, or refused by the server). */
  expire(token: string, where: string): void {
    const gone = state.sessions.find((x) => x.token === token);
    if (!gone) return;
    const rest = state.sessions.filter((x) => x !== gone);
    const wasCurrent = gone.patientId === state.current;
    set({ sessions: rest, current: wasCurrent ? null : state.current, expiredAt: wasCurrent ? where : state.expiredAt });
  },
  /** Log out of one record (the open one by default), or of all. */
  logout(patientId?: string): void {
    const rest = patientId === undefined ? [] : state.sessions.filter((x) => x.patientId !== patientId);
    // the server ends each session left, so that a copy of its token is worth nothing; the page
    // forgets it whatever the answer (a session already expired is refused, and that is fine)
    for (const gone of state.sessions.filter((x) => !rest.includes(x))) void endSession(gone.token).catch(() => undefined);
    set({ sessions: rest, current: rest[0]?.patientId ?? null, expiredAt: null, loggedOut: rest.length === 0 });
  },
  clearExpired(): void {
    if (state.expiredAt !== null) set({ ...state, expiredAt: null });
  },
};

export function useSessions(): SessionState {
  return useSyncExternalStore(sessions.subscribe, sessions.get, sessions.get);
}

export function currentSession(s: SessionState = state): RecordSession | undefined {
  return s.sessions.find((x) => x.patientId === s.current);
}
