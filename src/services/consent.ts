// The patient's choices about professionals (PAT-04, ACC-01/03/04/05/06/07): authorisations and
// blocks of professionals or structures, opposition to each emergency mode, and the médecin
// traitant DMP. Each is a decision of the rules, then a change, then a trace row.
import { randomUUID } from 'node:crypto';
import type { AccessMode } from '../domain/actor.js';
import { canBeMedecinTraitant } from '../domain/decide.js';
import { CarnetError } from '../domain/errors.js';
import { getGrant, insertGrant, listGrants, revokeGrant, type GrantRow } from '../store/consent-repo.js';
import { searchProfessionals } from '../store/directory-repo.js';
import { updateDmp } from '../store/record-repo.js';
import type { Caller, ServiceDeps } from './deps.js';
import { guarded, refusal } from './guard.js';

export interface ConsentSummary {
  grants: GrantRow[];
  emergencyOppositions: { bris_de_glace: boolean; centre_15: boolean };
  medecinTraitant: string | null;
}

export interface GrantInput {
  subjectKind: 'professional' | 'structure';
  subjectId: string;
  effect: 'permit' | 'deny';
}

function actorLabel(caller: Caller): string {
  const a = caller.actor;
  return a.kind === 'professional' ? `professional:${a.idNatPs}` : a.kind === 'legal_representative' ? `legal_representative:${a.representativeId}` : a.kind;
}

function onPatientRequest(caller: Caller): boolean {
  return caller.actor.kind === 'professional' && !!caller.actor.onPatientRequest;
}

export function consentService(deps: ServiceDeps) {
  return {
    async read(caller: Caller, patientKey: string, includeRevoked = false): Promise<ConsentSummary> {
      return guarded(deps, caller, {
        patientKey,
        action: 'consent.read',
        act: async ({ tx, record }) => ({
          grants: await listGrants(tx, patientKey, includeRevoked),
          emergencyOppositions: record.context.emergencyOppositions,
          medecinTraitant: record.context.medecinTraitant,
        }),
      });
    },

    /**
     * Authorise (permit) or block (deny) a professional or a structure's care team (ACC-03/04):
     * a blocked structure refuses whoever acts for it (access.ts `isBlocked`).
     */
    async addGrant(caller: Caller, patientKey: string, input: GrantInput): Promise<GrantRow> {
      await deps.availability?.ensureAvailable('consent');
      return guarded(deps, caller, {
        patientKey,
        action: input.effect === 'deny' ? 'consent.block' : 'consent.manage',
        lock: true,
        trace: { target: { kind: input.subjectKind, id: input.subjectId }, details: { effect: input.effect } },
        act: async ({ tx, record }) => {
          const existing = record.context.grants.find(
            (g) => g.subjectKind === input.subjectKind && g.subjectId === input.subjectId && g.effect === input.effect,
          );
          if (existing) {
            const rows = await listGrants(tx, patientKey);
            return rows.find((r) => r.subject_kind === input.subjectKind && r.subject_id === input.subjectId && r.effect === input.effect)!;
          }
          const grantId = randomUUID();
          await insertGrant(tx, {
            patientKey,
            grantId,
            ...input,
            createdBy: actorLabel(caller),
            onPatientRequest: onPatientRequest(caller),
            now: deps.clock.now(),
          });
          // A blocked médecin traitant loses the status: the rules allow only an authorised doctor.
          // (A blocked structure leaves it: the doctor is refused only while acting for it.)
          if (input.effect === 'deny' && input.subjectKind === 'professional' && record.context.medecinTraitant === input.subjectId) {
            await updateDmp(tx, patientKey, { medecin_traitant: null }, deps.clock.now());
          }
          return (await getGrant(tx, patientKey, grantId))!;
        },
      });
    },

    /** Withdraw an authorisation or lift a block. */
    async revokeGrant(caller: Caller, patientKey: string, grantId: string): Promise<void> {
      await deps.availability?.ensureAvailable('consent');
      await guarded(deps, caller, {
        patientKey,
        action: 'consent.manage',
        lock: true,
        trace: { target: { kind: 'grant', id: grantId } },
        act: async ({ tx }) => {
          const grant = await getGrant(tx, patientKey, grantId);
          if (!grant || grant.revoked_at) throw new CarnetError('not_found', 'no such authorisation or block');
          await revokeGrant(tx, patientKey, grantId, actorLabel(caller), deps.clock.now());
        },
      });
    },

    /** ACC-05: oppose, or stop opposing, one emergency mode. */
    async setEmergencyOpposition(caller: Caller, patientKey: string, mode: Exclude<AccessMode, 'normal'>, opposed: boolean): Promise<void> {
      await deps.availability?.ensureAvailable('consent');
      await guarded(deps, caller, {
        patientKey,
        action: 'consent.manage',
        lock: true,
        trace: { details: { emergencyMode: mode, opposed } },
        act: async ({ tx }) => {
          const column = mode === 'bris_de_glace' ? 'oppose_bris_de_glace' : 'oppose_centre_15';
          await updateDmp(tx, patientKey, { [column]: opposed }, deps.clock.now());
        },
      });
    },

    /** ACC-06: designate, hand over or withdraw the médecin traitant DMP. */
    async designateMedecinTraitant(caller: Caller, patientKey: string, idNatPs: string | null): Promise<void> {
      await deps.availability?.ensureAvailable('consent');
      await guarded(deps, caller, {
        patientKey,
        action: 'medecin_traitant.designate',
        lock: true,
        trace: { target: idNatPs ? { kind: 'professional', id: idNatPs } : null },
        act: async ({ tx, record }) => {
          if (idNatPs) {
            const found = await searchProfessionals(tx, { ids: [idNatPs], limit: 1, offset: 0 });
            const candidate = found.rows[0];
            if (!candidate) throw new CarnetError('business_rule', 'the médecin traitant must be a professional of the directory');
            const ok = canBeMedecinTraitant(deps.policy, record.context, {
              idNatPs,
              profession: candidate.profession,
              structureId: candidate.structure_id ?? undefined,
            });
            if (!ok.permit) throw refusalForCandidate(ok.reason);
          }
          await updateDmp(tx, patientKey, { medecin_traitant: idNatPs }, deps.clock.now());
        },
      });
    },
  };
}

function refusalForCandidate(reason: string): CarnetError {
  return new CarnetError('business_rule', `this professional cannot be médecin traitant: ${reason.replace(/_/g, ' ')}`, { reason });
}

export { refusal };
export type { GrantRow };
export type ConsentService = ReturnType<typeof consentService>;
