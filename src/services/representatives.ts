// Legal representatives (MIN-01..04): up to two on a minor's record, the minor's wish that one
// reaches the record only with a doctor (MASK-04), and the end of their access at majority with
// the notice one month before (MIN-03).
import { randomUUID } from 'node:crypto';
import { CarnetError } from '../domain/errors.js';
import { canAddRepresentative, majorityDate, majorityNoticeDate } from '../domain/minors.js';
import { claimMajorityNotice, insertRepresentative, listRepresentatives, representativesEndingBefore, updateRepresentative, type RepresentativeRow } from '../store/representative-repo.js';
import type { Tx } from '../store/db.js';
import { loadRecord } from '../store/record-repo.js';
import type { IssuedCredentials } from './accounts.js';
import type { Caller, ServiceDeps } from './deps.js';
import { guarded, traceCall } from './guard.js';
import { majorityNoticeText, representativeEndedText } from './messages.js';
import type { CreationCredentialIssuer, NewRepresentative } from './record-creation.js';

/** Sends a message; the patient-access work plugs the outbox in here. */
export type Notify = (tx: Tx, message: { patientKey: string; to: RepresentativeRow; kind: string; subject: string; body: string }) => Promise<void>;

export interface AddedRepresentative {
  representativeId: string;
  row: RepresentativeRow;
  /** DMP-03, MIN-02: the representative's own account, when asked for with the addition */
  credentials?: IssuedCredentials;
}

export function representativeService(deps: ServiceDeps, notify?: Notify, issueCredentials?: CreationCredentialIssuer) {
  return {
    /** The record's representatives, ended ones included; support reads them to issue accounts. */
    async list(caller: Caller, patientKey: string): Promise<RepresentativeRow[]> {
      return guarded(deps, caller, { patientKey, action: 'representative.read', act: ({ tx }) => listRepresentatives(tx, patientKey) });
    },

    /**
     * MIN-01/02/04: a representative added after creation (a second parent, a new tutor), by
     * whoever decides for the record, a professional at the family's request or support; never a
     * third. With `openAccount`, the representative's own account is issued in the same act.
     */
    async add(caller: Caller, patientKey: string, rep: NewRepresentative, o: { openAccount?: boolean } = {}): Promise<AddedRepresentative> {
      const id = rep.representativeId ?? randomUUID();
      return guarded(deps, caller, {
        patientKey,
        action: 'representative.manage',
        lock: true,
        trace: { target: { kind: 'legal_representative', id }, details: { relationship: rep.relationship, change: 'add' } },
        act: async ({ tx, record, trace }) => {
          const now = deps.clock.now();
          if (!canAddRepresentative(record.context, now)) {
            throw new CarnetError('business_rule', 'a record holds at most two active legal representatives, and only while they are needed', { reason: 'representatives_full' });
          }
          const birth = record.context.birthDate;
          const ends = rep.relationship === 'parent' && birth && !record.context.protectedAdult ? new Date(`${majorityDate(birth)}T00:00:00Z`) : null;
          await insertRepresentative(tx, patientKey, { ...rep, representativeId: id, accessEndsAt: ends, now });
          const row = (await listRepresentatives(tx, patientKey)).find((r) => r.representative_id === id)!;
          if (!o.openAccount) return { representativeId: id, row };
          if (!issueCredentials) throw new CarnetError('unavailable', 'accounts cannot be issued here');
          const reloaded = await loadRecord(tx, patientKey, true);
          const credentials = await issueCredentials(tx, reloaded!, { role: 'legal_representative', representativeId: id }, { email: rep.email, phone: rep.phone });
          await trace('account.create', { target: { kind: 'account', id: credentials.accountId }, details: { role: 'legal_representative' } });
          return { representativeId: id, row, credentials };
        },
      });
    },

    /** MASK-04: the minor asks that this representative read medical documents only with a doctor. */
    async setDoctorPresenceRequired(caller: Caller, patientKey: string, representativeId: string, required: boolean): Promise<void> {
      await guarded(deps, caller, {
        patientKey,
        action: 'representative.doctor_presence',
        lock: true,
        trace: { target: { kind: 'legal_representative', id: representativeId }, details: { doctorPresenceRequired: required } },
        act: async ({ tx }) => {
          const ok = await updateRepresentative(tx, patientKey, representativeId, { doctor_presence_required: required });
          if (!ok) throw new CarnetError('not_found', 'no such legal representative');
        },
      });
    },

    /** MIN-01/04: a representative's access ends (a judgment, a change of tutor); the row stays. */
    async end(caller: Caller, patientKey: string, representativeId: string): Promise<void> {
      await guarded(deps, caller, {
        patientKey,
        action: 'representative.manage',
        lock: true,
        trace: { target: { kind: 'legal_representative', id: representativeId }, details: { change: 'end' } },
        act: async ({ tx }) => {
          const rep = (await listRepresentatives(tx, patientKey)).find((r) => r.representative_id === representativeId);
          if (!rep) throw new CarnetError('not_found', 'no such legal representative');
          if (rep.ended_at) throw new CarnetError('conflict', 'this representative\'s access has already ended', { reason: 'representative_access_ended' });
          await updateRepresentative(tx, patientKey, representativeId, { ended_at: deps.clock.now() });
          const text = representativeEndedText('ended');
          await notify?.(tx, { patientKey, to: rep, kind: 'representative_ended', subject: text.subject, body: text.body });
        },
      });
    },

    /**
     * MIN-03, run by a scheduled job: one month before majority the representatives are told
     * their access will end; at majority it ends. Idempotent: each notice is sent once.
     */
    async runMajorityTransition(caller: Caller): Promise<{ noticed: number; ended: number }> {
      const now = deps.clock.now();
      const horizon = new Date(now.getTime() + 32 * 24 * 3600 * 1000);
      const due = await representativesEndingBefore(deps.db, horizon);
      let noticed = 0;
      let ended = 0;
      for (const rep of due) {
        await deps.db.transaction(async (tx) => {
          const endsAt = rep.access_ends_at!;
          if (endsAt.getTime() <= now.getTime()) {
            await updateRepresentative(tx, rep.patient_key, rep.representative_id, { ended_at: now });
            const text = representativeEndedText('majority');
            await notify?.(tx, { patientKey: rep.patient_key, to: rep, kind: 'representative_ended', subject: text.subject, body: text.body });
            await traceCall(tx, deps, caller, rep.patient_key, 'representative.end', 'success', {
              target: { kind: 'legal_representative', id: rep.representative_id },
              details: { cause: 'majority' },
            });
            ended++;
            return;
          }
          const birth = endsAt.toISOString().slice(0, 10);
          const noticeDay = majorityNoticeDate(shiftYears(birth, -18));
          if (!rep.majority_notice_sent_at && now.toISOString().slice(0, 10) >= noticeDay) {
            // Another job runner may have sent it since the list was read: only the claimer sends.
            if (!(await claimMajorityNotice(tx, rep.patient_key, rep.representative_id, now))) return;
            await notify?.(tx, {
              patientKey: rep.patient_key,
              to: rep,
              kind: 'majority_notice',
              ...majorityNoticeText(birth),
            });
            await traceCall(tx, deps, caller, rep.patient_key, 'representative.majority_notice', 'success', {
              target: { kind: 'legal_representative', id: rep.representative_id },
            });
            noticed++;
          }
        });
      }
      return { noticed, ended };
    },
  };
}

function shiftYears(isoDate: string, years: number): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  return `${String(y + years).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export type RepresentativeService = ReturnType<typeof representativeService>;
/** A representative as the service answers it (the doors map it; they never reach the store). */
export type { RepresentativeRow };
