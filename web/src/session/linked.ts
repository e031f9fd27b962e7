// MIN-01/02: a legal representative of several minors logs in once; the login's answer lists
// every record it reaches. Once the session is an ordinary one (the terms of use accepted), the
// page opens the others beside it (POST /auth/switch), so that the record banner offers to
// switch between them. The server decides which records open: the page only asks.
import { useEffect } from 'react';
import { switchRecord, type Verified } from '../api/auth';
import { currentSession, sessions, useSessions, type RecordSession } from './store';

/** A session of the tab from the server's answer to a login or a switch. */
export function sessionOf(v: Verified, login: string): RecordSession {
  return {
    token: v.access_token,
    expiresAt: Date.now() + v.expires_in * 1000,
    patientId: v.patient,
    role: v.holder.role,
    representativeId: v.holder.role === 'legal_representative' ? v.holder.representativeId : undefined,
    login,
    // the terms of use changed: their screen comes first, then the page asked for
    termsPending: v.terms_acceptance_required ? (v.terms_version ?? '') : undefined,
    others: v.records?.map((r) => r.patient).filter((p) => p !== v.patient),
  };
}

const opening = new Set<string>();

async function openOthers(s: RecordSession): Promise<void> {
  for (const patient of s.others ?? []) {
    try {
      const v = await switchRecord(s.token, patient);
      sessions.addBeside({ ...sessionOf(v, s.login), others: undefined });
    } catch {
      // a record the server no longer opens for this holder is simply not offered
    }
  }
  sessions.othersOpened(s.token);
}

export function useLinkedRecords(): void {
  const open = currentSession(useSessions());
  useEffect(() => {
    if (!open?.others?.length || open.termsPending !== undefined || opening.has(open.token)) return;
    opening.add(open.token);
    void openOthers(open).finally(() => opening.delete(open.token));
  }, [open]);
}
