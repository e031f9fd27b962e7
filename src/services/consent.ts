// The patient's choices about professionals (PAT-04, ACC-01/03/04/05/06/07): authorisations and
// blocks of professionals or structures, opposition to each emergency mode, and the médecin
// traitant DMP. Each is a decision of the rules, then a change, then a trace row.
import { randomUUID } from 'node:crypto';
import type { AccessMode } from '../domain/actor.js';
import { canBeMedecinTraitant } from '../domain/decide.js';
import { CarnetError } from '../domain/errors.js';
import { checkIfMatch, CONSENT_SETTING, grantVersion, versionOf, type IfMatch, type ResourceVersion } from '../domain/resource-versions.js';
import { getGrant, insertGrant, listGrants, revokeGrant, type GrantRow } from '../store/consent-repo.js';
import type { Tx } from '../store/db.js';
import { searchProfessionals } from '../store/directory-repo.js';
import { updateDmp, type LoadedRecord } from '../store/record-repo.js';
import { bumpVersion, getVersions } from '../store/resource-version-repo.js';
import type { Caller, ServiceDeps } from './deps.js';
import { guarded, refusal } from './guard.js';
import { changePatientVersion } from './patient-version.js';

/** An authorisation or block with its version (1 as granted, 2 once revoked). */
export type VersionedGrant = GrantRow & { version: ResourceVersion };

/** The record's settings that are Consents of their own, each with its version. */
export type ConsentSetting = keyof typeof CONSENT_SETTING;

export interface ConsentSummary {
  grants: VersionedGrant[];
  emergencyOppositions: { bris_de_glace: boolean; centre_15: boolean };
  medecinTraitant: string | null;
  settingVersions: Record<ConsentSetting, ResourceVersion>;
}

const withVersion = (g: GrantRow): VersionedGrant => ({ ...g, version: grantVersion(g) });

async function settingVersions(tx: Tx, record: LoadedRecord): Promise<Record<ConsentSetting, ResourceVersion>> {
  const stored = await getVersions(tx, record.row.patient_key, 'Consent', Object.values(CONSENT_SETTING));
  const created = new Date(record.row.created_at);
  return {
    bris_de_glace: versionOf(stored.get(CONSENT_SETTING.bris_de_glace), created),
    centre_15: versionOf(stored.get(CONSENT_SETTING.centre_15), created),
    medecinTraitant: versionOf(stored.get(CONSENT_SETTING.medecinTraitant), created),
  };
}

/** A change of a setting: If-Match first (412), then the next version when the value changes. */
async function changeSetting(tx: Tx, record: LoadedRecord, setting: ConsentSetting, changed: boolean, at: Date, ifMatch?: IfMatch): Promise<ResourceVersion> {
  const current = (await settingVersions(tx, record))[setting];
  if (ifMatch) checkIfMatch(ifMatch, current);
  if (!changed) return current;
  return versionOf(await bumpVersion(tx, record.row.patient_key, 'Consent', CONSENT_SETTING[setting], at), at);
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
          grants: (await listGrants(tx, patientKey, includeRevoked)).map(withVersion),
          emergencyOppositions: record.context.emergencyOppositions,
          medecinTraitant: record.context.medecinTraitant,
          settingVersions: await settingVersions(tx, record),
        }),
      });
    },

    /**
     * Authorise (permit) or block (deny) a professional or a structure's care team (ACC-03/04):
     * a blocked structure refuses whoever acts for it (access.ts `isBlocked`).
     */
    async addGrant(caller: Caller, patientKey: string, input: GrantInput): Promise<VersionedGrant> {
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
            return withVersion(rows.find((r) => r.subject_kind === input.subjectKind && r.subject_id === input.subjectId && r.effect === input.effect)!);
          }
          const grantId = randomUUID();
          const at = deps.clock.now();
          // how a professional stands with the record is part of the Patient they read
          await changePatientVersion(tx, patientKey, at);
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
            await updateDmp(tx, patientKey, { medecin_traitant: null }, at);
            await changeSetting(tx, record, 'medecinTraitant', true, at);
          }
          return withVersion((await getGrant(tx, patientKey, grantId))!);
        },
      });
    },

    /** Withdraw an authorisation or lift a block; `ifMatch`: the version it was asked against. */
    async revokeGrant(caller: Caller, patientKey: string, grantId: string, ifMatch?: IfMatch): Promise<void> {
      await deps.availability?.ensureAvailable('consent');
      await guarded(deps, caller, {
        patientKey,
        action: 'consent.manage',
        lock: true,
        trace: { target: { kind: 'grant', id: grantId } },
        act: async ({ tx }) => {
          const grant = await getGrant(tx, patientKey, grantId);
          if (grant && ifMatch) checkIfMatch(ifMatch, grantVersion(grant));
          if (!grant || grant.revoked_at) throw new CarnetError('not_found', 'no such authorisation or block');
          const at = deps.clock.now();
          await revokeGrant(tx, patientKey, grantId, actorLabel(caller), at);
          await changePatientVersion(tx, patientKey, at);
        },
      });
    },

    /** ACC-05: oppose, or stop opposing, one emergency mode. Answers the setting's version. */
    async setEmergencyOpposition(caller: Caller, patientKey: string, mode: Exclude<AccessMode, 'normal'>, opposed: boolean, ifMatch?: IfMatch): Promise<ResourceVersion> {
      await deps.availability?.ensureAvailable('consent');
      return guarded(deps, caller, {
        patientKey,
        action: 'consent.manage',
        lock: true,
        trace: { details: { emergencyMode: mode, opposed } },
        act: async ({ tx, record }) => {
          const column = mode === 'bris_de_glace' ? 'oppose_bris_de_glace' : 'oppose_centre_15';
          const at = deps.clock.now();
          const version = await changeSetting(tx, record, mode, record.context.emergencyOppositions[mode] !== opposed, at, ifMatch);
          await updateDmp(tx, patientKey, { [column]: opposed }, at);
          return version;
        },
      });
    },

    /** ACC-06: designate, hand over or withdraw the médecin traitant DMP. Answers the designation's version. */
    async designateMedecinTraitant(caller: Caller, patientKey: string, idNatPs: string | null, ifMatch?: IfMatch): Promise<ResourceVersion> {
      await deps.availability?.ensureAvailable('consent');
      return guarded(deps, caller, {
        patientKey,
        action: 'medecin_traitant.designate',
        lock: true,
        trace: { target: idNatPs ? { kind: 'professional', id: idNatPs } : null },
        act: async ({ tx, record }) => {
          // the precondition first, before the candidate is even looked at
          if (ifMatch) checkIfMatch(ifMatch, (await settingVersions(tx, record)).medecinTraitant);
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
          const at = deps.clock.now();
          const changed = record.context.medecinTraitant !== idNatPs;
          await updateDmp(tx, patientKey, { medecin_traitant: idNatPs }, at);
          // the Patient a professional reads says whether they are the médecin traitant
          if (changed) await changePatientVersion(tx, patientKey, at);
          return changeSetting(tx, record, 'medecinTraitant', changed, at);
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
