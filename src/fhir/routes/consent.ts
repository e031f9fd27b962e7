// Consent: authorisations and blocks (ACC-01/03/04), emergency oppositions (ACC-05) and the
// médecin traitant (ACC-06), each a call of the consent service. A professional acting for the
// patient says so in the token (on_patient_request, ACC-07); the service records it.
import type { Consent } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { CarnetError, isCarnetError } from '../../domain/errors.js';
import { checkIfMatch, type IfMatch } from '../../domain/resource-versions.js';
import type { Caller } from '../../services/deps.js';
import { callerOf } from '../caller.js';
import type { FhirRouteContext } from '../door.js';
import { sendResource } from '../reply.js';
import { CS } from '../mappings/carnet-fhir.js';
import { parseRecordScopedId } from '../mappings/composite-id.js';
import {
  consentToIntent,
  EMERGENCY_MODES,
  itemToConsent,
  NAMED,
  type ConsentCategory,
  type ConsentIntent,
  type ConsentItem,
  type EmergencyMode,
} from '../mappings/consent.js';
import { invalidParam, parseReference, searchParamsOf, single, token, values, type SearchParam, undeclared } from './search-params.js';
import { searchset } from './searchset.js';
import { PROFILE } from '../validation/profiles.js';
import { atVersion, baseOf, ifMatchOf, notFound, orNotFound, readResource, setLocation } from './support.js';

type ConsentService = FhirRouteContext['services']['consent'];

/** The Consent body of a create or update, held to the published profile first (as `$validate`). */
async function consentBody(req: Parameters<typeof readResource>[0]): Promise<Consent> {
  const body = await readResource(req);
  if (body.resourceType === 'Consent') await req.server.fhirWork.checkProfile(body, PROFILE.consent);
  return body as Consent;
}

/** Every Consent of a record: its grants, its two emergency settings, its médecin traitant. */
async function itemsOf(consent: ConsentService, caller: Caller, patientKey: string, includeRevoked: boolean): Promise<ConsentItem[]> {
  const summary = await consent.read(caller, patientKey, includeRevoked);
  const items: ConsentItem[] = summary.grants.map((grant) => ({ kind: 'access', patientKey, grant }));
  const versions = summary.settingVersions;
  for (const mode of EMERGENCY_MODES) items.push({ kind: 'emergency', patientKey, mode, opposed: summary.emergencyOppositions[mode], version: versions[mode] });
  if (summary.medecinTraitant) items.push({ kind: 'medecin-traitant', patientKey, idNatPs: summary.medecinTraitant, version: versions.medecinTraitant });
  return items;
}

function modeOfName(name: string): EmergencyMode | undefined {
  return EMERGENCY_MODES.find((m) => NAMED[m] === name);
}

/** The record named by the `patient` parameter, or the patient side's own record. */
function patientParam(q: SearchParam[], caller: Caller): string {
  const v = single(q, 'patient');
  if (v !== undefined) return parseReference(v, ['Patient'], 'patient').id;
  if (caller.actor.kind === 'patient' || caller.actor.kind === 'legal_representative') return caller.actor.patientKey;
  throw invalidParam('patient', 'name the record: patient=Patient/<id>');
}

function subjectOfItem(item: ConsentItem): { type: string; id: string } | undefined {
  if (item.kind === 'access') return { type: item.grant.subject_kind === 'structure' ? 'Organization' : 'Practitioner', id: item.grant.subject_id };
  if (item.kind === 'medecin-traitant') return { type: 'Practitioner', id: item.idNatPs };
  return undefined;
}

function filters(q: SearchParam[]) {
  const statuses = values(q, 'status');
  const categories = values(q, 'category').map(token);
  for (const c of categories) {
    if (c.system && c.system !== CS.CONSENT_CATEGORY) throw invalidParam('category', `category codes are from ${CS.CONSENT_CATEGORY}`);
  }
  const actors = values(q, 'actor').map((v) => parseReference(v, ['Practitioner', 'Organization', 'PractitionerRole'], 'actor'));
  const actorIds = values(q, 'actor:identifier').map(token);
  return (item: ConsentItem, c: Consent): boolean => {
    if (statuses.length && !statuses.includes(c.status)) return false;
    if (categories.length && !categories.some((t) => t.code === (item.kind as ConsentCategory))) return false;
    const subject = subjectOfItem(item);
    if (actors.length && !actors.some((a) => subject && subject.id === a.id && (!a.type || a.type === subject.type || (a.type === 'PractitionerRole' && subject.type === 'Practitioner')))) return false;
    if (actorIds.length && !actorIds.some((t) => subject && subject.id === t.code)) return false;
    return true;
  };
}

async function applyIntent(consent: ConsentService, caller: Caller, intent: ConsentIntent): Promise<ConsentItem> {
  switch (intent.kind) {
    case 'access': {
      const grant = await consent.addGrant(caller, intent.patientKey, { subjectKind: intent.subjectKind, subjectId: intent.subjectId, effect: intent.effect });
      return { kind: 'access', patientKey: intent.patientKey, grant };
    }
    case 'emergency': {
      const version = await consent.setEmergencyOpposition(caller, intent.patientKey, intent.mode, intent.opposed);
      return { kind: 'emergency', patientKey: intent.patientKey, mode: intent.mode, opposed: intent.opposed, version };
    }
    case 'medecin-traitant': {
      if (!intent.idNatPs) throw new CarnetError('business_rule', 'to withdraw the médecin traitant, update its Consent to inactive');
      const version = await consent.designateMedecinTraitant(caller, intent.patientKey, intent.idNatPs);
      return { kind: 'medecin-traitant', patientKey: intent.patientKey, idNatPs: intent.idNatPs, version };
    }
  }
}

export function registerConsentRoutes(fhir: FastifyInstance, ctx: FhirRouteContext): void {
  const { consent } = ctx.services;

  async function readOne(id: string, caller: Caller): Promise<ConsentItem> {
    const parsed = parseRecordScopedId(id);
    if (!parsed) throw notFound('Consent');
    const items = await orNotFound(itemsOf(consent, caller, parsed.patientKey, true), 'Consent');
    const item = items.find((i) => itemToConsent(i).id === id.toLowerCase());
    if (!item) throw notFound('Consent');
    return item;
  }

  fhir.post('/Consent', async (req, reply) => {
    const intent = consentToIntent(await consentBody(req));
    if (intent.status !== 'active') throw new CarnetError('business_rule', 'a new Consent is active; to end one, update it to inactive');
    const item = await orNotFound(applyIntent(consent, callerOf(req), intent), 'Patient');
    const resource = itemToConsent(item);
    setLocation(reply, ctx, resource);
    return sendResource(req, reply, resource, 201);
  });

  fhir.get<{ Params: { id: string } }>('/Consent/:id', async (req, reply) => {
    const item = await readOne(req.params.id, callerOf(req));
    return sendResource(req, reply, itemToConsent(item));
  });
  fhir.get<{ Params: { id: string; vid: string } }>('/Consent/:id/_history/:vid', async (req, reply) => {
    const item = await readOne(req.params.id, callerOf(req));
    return sendResource(req, reply, atVersion(itemToConsent(item), req.params.vid));
  });

  /** An update that changes nothing still answers to its If-Match (R4 http.html#concurrency). */
  const unchanged = (item: ConsentItem, ifMatch: IfMatch | undefined): Consent => {
    const resource = itemToConsent(item);
    if (ifMatch && resource.meta?.versionId) checkIfMatch(ifMatch, { versionId: resource.meta.versionId, lastUpdated: resource.meta.lastUpdated! });
    return resource;
  };

  fhir.get('/Consent', async (req, reply) => {
    const q = searchParamsOf(req);
    const ignored = undeclared(req, q, ctx.caps.searchParamNames('Consent'), 'Consent', { actor: ['identifier'] });
    const caller = callerOf(req);
    const patientKey = patientParam(q, caller);
    const statuses = values(q, 'status');
    const keep = filters(q);
    const items = await orNotFound(itemsOf(consent, caller, patientKey, statuses.some((s) => s !== 'active')), 'Patient');
    const resources = items.map((i) => ({ i, c: itemToConsent(i) })).filter(({ i, c }) => keep(i, c)).map(({ c }) => c);
    return sendResource(req, reply, searchset({ base: baseOf(ctx), type: 'Consent', params: q, resources, total: resources.length, ignored }));
  });

  fhir.put<{ Params: { id: string } }>('/Consent/:id', async (req, reply) => {
    const caller = callerOf(req);
    const id = req.params.id.toLowerCase();
    const parsed = parseRecordScopedId(id);
    if (!parsed) throw notFound('Consent');
    const ifMatch = ifMatchOf(req);
    const body = await consentBody(req);
    if (body.id !== undefined && body.id.toLowerCase() !== id) throw new CarnetError('invalid_metadata', 'the Consent id in the body differs from the URL', { location: 'Consent.id' });
    const intent = consentToIntent(body);
    if (intent.patientKey !== parsed.patientKey) throw new CarnetError('invalid_metadata', 'Consent.patient differs from the record of this Consent', { location: 'Consent.patient' });

    if (parsed.kind === 'pair') {
      if (intent.kind !== 'access') throw new CarnetError('business_rule', 'this Consent is an authorisation or a block; its category cannot change');
      if (intent.status === 'active') {
        const current = await readOne(id, caller);
        const g = current.kind === 'access' ? current.grant : undefined;
        if (g && !g.revoked_at && g.subject_kind === intent.subjectKind && g.subject_id === intent.subjectId && g.effect === intent.effect) {
          return sendResource(req, reply, unchanged(current, ifMatch));
        }
        throw new CarnetError('business_rule', 'an authorisation or a block only ends (status inactive); create a new Consent for another one');
      }
      try {
        await orNotFound(consent.revokeGrant(caller, parsed.patientKey, parsed.localId, ifMatch), 'Consent');
      } catch (e) {
        // Revoking what is already revoked answers the revoked Consent (the update is idempotent).
        if (!(isCarnetError(e) && e.code === 'not_found')) throw e;
        const current = await readOne(id, caller);
        if (current.kind !== 'access' || !current.grant.revoked_at) throw e;
      }
      return sendResource(req, reply, itemToConsent(await readOne(id, caller)));
    }

    const mode = modeOfName(parsed.name);
    if (mode) {
      if (intent.kind !== 'emergency' || intent.mode !== mode) throw new CarnetError('business_rule', `this Consent is the ${mode} setting`);
      const version = await orNotFound(consent.setEmergencyOpposition(caller, parsed.patientKey, mode, intent.opposed, ifMatch), 'Consent');
      return sendResource(req, reply, itemToConsent({ kind: 'emergency', patientKey: parsed.patientKey, mode, opposed: intent.opposed, version }));
    }
    if (parsed.name === NAMED.medecinTraitant) {
      if (intent.kind !== 'medecin-traitant') throw new CarnetError('business_rule', 'this Consent is the médecin traitant designation');
      const version = await orNotFound(consent.designateMedecinTraitant(caller, parsed.patientKey, intent.idNatPs, ifMatch), 'Consent');
      if (intent.idNatPs) return sendResource(req, reply, itemToConsent({ kind: 'medecin-traitant', patientKey: parsed.patientKey, idNatPs: intent.idNatPs, version }));
      const withdrawn = body as Consent;
      return sendResource(req, reply, { ...withdrawn, id, status: 'inactive', meta: { ...withdrawn.meta, versionId: version.versionId, lastUpdated: version.lastUpdated } } as Consent);
    }
    throw notFound('Consent');
  });

  const caps = ctx.caps;
  for (const i of ['create', 'read', 'vread', 'search-type', 'update'] as const) caps.addInteraction('Consent', i);
  caps.addSearchParams('Consent', [
    { name: 'patient', type: 'reference', definition: 'http://hl7.org/fhir/SearchParameter/clinical-patient', documentation: 'The record (Patient/<id>); the patient side may omit it' },
    { name: 'status', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Consent-status', documentation: 'active, or inactive for revoked authorisations and blocks' },
    { name: 'actor', type: 'reference', definition: 'http://hl7.org/fhir/SearchParameter/Consent-actor', documentation: 'Practitioner/<IdNat_PS> or Organization/<IdNat_Struct>; :identifier also accepted' },
    { name: 'category', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Consent-category', documentation: `${CS.CONSENT_CATEGORY}: access | emergency | medecin-traitant` },
  ]);
}
