// The sessions open in this browser tab: one per record (a legal representative of two minors
// holds one account, so one session, per child's record, and switches between them). Kept in
// sessionStorage so that a reload keeps them; closing the tab or logging out forgets them.
// A token the page lets go of while the server would still accept it is ended there first
// (POST /auth/logout): logging out, a new login over a held session of the same record, a switch
// that opened a record the tab already holds. Best effort: the page forgets it whatever the answer.
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

/**
 * Ends a session on the server before the page forgets its token, so that a copy of it is worth
 * nothing. Best effort: never awaited by what replaces it, and a refusal (a session already
 * expired or ended) is fine and shown nowhere.
 */
export function endOnServer(token: string): void {
  void endSession(token).catch(() => undefined);
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
  /** A new session for a record; it becomes the open one (and ends the one it replaces). */
  add(s: RecordSession): void {
    const replaced = state.sessions.find((x) => x.patientId === s.patientId && x.token !== s.token);
    if (replaced) endOnServer(replaced.token);
    set({ sessions: [...state.sessions.filter((x) => x.patientId !== s.patientId), s], current: s.patientId, expiredAt: null, loggedOut: false });
  },
  /** Another record of the same login, opened beside the current one (which stays open). */
  addBeside(s: RecordSession): void {
    if (state.sessions.some((x) => x.patientId === s.patientId)) {
      // the tab holds this record already (a second login of the same login): the newcomer goes
      if (!state.sessions.some((x) => x.token === s.token)) endOnServer(s.token);
      return;
    }
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
  /**
   * The session holding this token is over (expired, or refused by the server). Nothing to end on
   * the server: it refused the token, or its lifetime, counted from the server's answer, is spent.
   */
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
    // the server ends each session left, so that a copy of its token is worth nothing
    for (const gone of state.sessions.filter((x) => !rest.includes(x))) endOnServer(gone.token);
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
