// PAT-03: what the new-document alert may announce, and to whom. The alert address is the
// record's, chosen by whoever decides for it (the patient, or a legal representative of a minor or
// of a protected adult: MIN-01, MIN-04), and it belongs to the holder who chose it:
// - once that holder's access has ended (a representative at the majority, MIN-03, or ended),
//   the address is told of nothing more, until a holder chooses one again;
// - the server does not know who reads the mailbox, so a document is announced only when every
//   holder of the patient side may read it at the time of the deposit: the patient and each
//   legal representative whose access is active.
// Otherwise the mail alone would tell someone of a document they may not see — hidden from the
// representatives (MASK-03, MASK-04), not yet explained to the patient (MASK-02), or deposited
// after their access ended (ACC-08).
import type { LegalRepresentativeActor, PatientActor } from './actor.js';
import { decide } from './decide.js';
import { activeRepresentatives, representativeStatus } from './minors.js';
import type { Policy } from './policy.js';
import type { DocumentFacts, RecordContext } from './record.js';

/** How the store keeps who chose the alert address: `patient`, or `representative:<id>`. */
export function alertSetterCode(holder: PatientActor | LegalRepresentativeActor): string {
  return holder.kind === 'patient' ? 'patient' : `representative:${holder.representativeId}`;
}

/** Whether the holder who chose the address (its code; null: unknown) still holds the record. */
export function alertSetterHolds(ctx: RecordContext, setBy: string | null, now: Date): boolean {
  if (setBy === 'patient') return true;
  if (setBy?.startsWith('representative:')) return representativeStatus(ctx, setBy.slice('representative:'.length), now) === 'active';
  return false;
}

/** The patient side of a record as it stands at `now`: the patient, then each active legal representative. */
export function patientSideHolders(ctx: RecordContext, now: Date): Array<PatientActor | LegalRepresentativeActor> {
  return [
    { kind: 'patient', patientKey: ctx.patientKey },
    ...activeRepresentatives(ctx, now).map((r): LegalRepresentativeActor => ({ kind: 'legal_representative', patientKey: ctx.patientKey, representativeId: r.representativeId })),
  ];
}

/** Whether a new document may be announced to the record's alert address, chosen by `setBy`. */
export function announceable(policy: Policy, ctx: RecordContext, facts: DocumentFacts, now: Date, setBy: string | null): boolean {
  if (!alertSetterHolds(ctx, setBy, now)) return false;
  return patientSideHolders(ctx, now).every((holder) => decide(policy, holder, ctx, facts, 'document.read', now).permit);
}
