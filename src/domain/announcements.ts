// PAT-03: what the new-document alert may announce. The alert address is the record's, chosen by
// whoever decides for it (the patient, or a legal representative of a minor or of a protected
// adult: MIN-01, MIN-04), and the server does not know which holder reads that mailbox. So a
// document is announced only when every holder of the patient side may read it at the time of
// the deposit: the patient and each legal representative whose access is active. Otherwise the
// mail alone would tell a representative that a document hidden from them exists (MASK-03, MASK-04,
// ACC-08), or the patient of one not yet explained (MASK-02).
import type { LegalRepresentativeActor, PatientActor } from './actor.js';
import { decide } from './decide.js';
import { activeRepresentatives } from './minors.js';
import type { Policy } from './policy.js';
import type { DocumentFacts, RecordContext } from './record.js';

/** The patient side of a record as it stands at `now`: the patient, then each active legal representative. */
export function patientSideHolders(ctx: RecordContext, now: Date): Array<PatientActor | LegalRepresentativeActor> {
  return [
    { kind: 'patient', patientKey: ctx.patientKey },
    ...activeRepresentatives(ctx, now).map((r): LegalRepresentativeActor => ({ kind: 'legal_representative', patientKey: ctx.patientKey, representativeId: r.representativeId })),
  ];
}

/** Whether a new document may be announced to the record's alert address: every holder reads it. */
export function announceable(policy: Policy, ctx: RecordContext, facts: DocumentFacts, now: Date): boolean {
  return patientSideHolders(ctx, now).every((holder) => decide(policy, holder, ctx, facts, 'document.read', now).permit);
}
