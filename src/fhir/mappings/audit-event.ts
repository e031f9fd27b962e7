// AuditEvent (read-only) from the access trace (TRACE-01), in the shape of IHE BALP: type and
// subtype (a RESTful interaction plus the trace's own action name), action C/R/U/D/E, outcome
// 0/4/8, the requesting user as agent (who, requestor, role, purposeOfUse for the emergency
// modes of ACC-05), the server as agent, the patient and the document as entities.
import type { AuditEvent, AuditEventAgent, AuditEventEntity, CodeableConcept, Coding, Extension } from '@medplum/fhirtypes';
import type { TraceRow } from '../../services/history.js';
import { OID, xdsSystemToFhir } from '../codes.js';
import { CS, EXT, HL7, SYSTEM } from './carnet-fhir.js';
import { pairId } from './composite-id.js';

export type AuditAction = 'C' | 'R' | 'U' | 'D' | 'E';
type Interaction = 'create' | 'read' | 'update' | 'delete' | 'search-type';

/** What each traced action is, as a RESTful interaction and a BALP action. */
const ACTIONS: Record<string, { action: AuditAction; interaction: Interaction }> = {
  'record.exists': { action: 'E', interaction: 'search-type' },
  'record.read': { action: 'E', interaction: 'search-type' },
  'record.create': { action: 'C', interaction: 'create' },
  'record.close': { action: 'U', interaction: 'update' },
  'record.reactivate': { action: 'U', interaction: 'update' },
  'record.purge': { action: 'D', interaction: 'delete' },
  'document.read': { action: 'R', interaction: 'read' },
  'document.submit': { action: 'C', interaction: 'create' },
  'document.replace': { action: 'C', interaction: 'create' },
  'document.delete': { action: 'D', interaction: 'delete' },
  'document.archive': { action: 'U', interaction: 'update' },
  'document.mask': { action: 'U', interaction: 'update' },
  'document.patient_visibility': { action: 'U', interaction: 'update' },
  'document.representative_visibility': { action: 'U', interaction: 'update' },
  'consent.read': { action: 'R', interaction: 'read' },
  'consent.manage': { action: 'U', interaction: 'update' },
  'consent.block': { action: 'U', interaction: 'update' },
  'medecin_traitant.designate': { action: 'U', interaction: 'update' },
  'trace.read': { action: 'E', interaction: 'search-type' },
  'representative.manage': { action: 'U', interaction: 'update' },
  'representative.end': { action: 'U', interaction: 'update' },
  'representative.doctor_presence': { action: 'U', interaction: 'update' },
  'representative.read': { action: 'R', interaction: 'read' },
  'record.copy_request.read': { action: 'R', interaction: 'read' },
  'record.copy_request.handle': { action: 'U', interaction: 'update' },
  'representative.majority_notice': { action: 'E', interaction: 'search-type' },
  'document.retrieve': { action: 'R', interaction: 'read' },
  'document.deprecate': { action: 'U', interaction: 'update' },
  'document.status': { action: 'U', interaction: 'update' },
  'document.metadata_update': { action: 'U', interaction: 'update' },
  'folder.metadata_update': { action: 'U', interaction: 'update' },
  'folder.status': { action: 'U', interaction: 'update' },
  'association.submit': { action: 'C', interaction: 'create' },
  'association.status': { action: 'U', interaction: 'update' },
  'selection.manage': { action: 'U', interaction: 'update' },
  'record.settings': { action: 'U', interaction: 'update' },
  'record.export': { action: 'R', interaction: 'read' },
  'record.copy_request': { action: 'C', interaction: 'create' },
  'account.create': { action: 'C', interaction: 'create' },
  'account.contact.update': { action: 'U', interaction: 'update' },
  'auth.password.change': { action: 'U', interaction: 'update' },
  'auth.support.request': { action: 'C', interaction: 'create' },
  'auth.support.handle': { action: 'U', interaction: 'update' },
  'auth.support.list': { action: 'R', interaction: 'read' },
};

const INTERACTION_DISPLAY: Record<Interaction, string> = {
  create: 'create',
  read: 'read',
  update: 'update',
  delete: 'delete',
  'search-type': 'search type',
};

function kindOf(action: string): { action: AuditAction; interaction?: Interaction } {
  return ACTIONS[action] ?? { action: 'E' };
}

/** The trace actions a BALP action code stands for (search by `action`). */
export function traceActionsFor(code: AuditAction): string[] {
  return Object.entries(ACTIONS)
    .filter(([, v]) => v.action === code)
    .map(([k]) => k);
}

const OUTCOME: Record<TraceRow['outcome'], { code: '0' | '4' | '8'; display: string }> = {
  success: { code: '0', display: 'Success' },
  denied: { code: '4', display: 'Minor failure' },
  failure: { code: '8', display: 'Serious failure' },
};

export const EMERGENCY_ACCESS_MODES = ['bris_de_glace', 'centre_15'] as const;

/** The purpose of use of an emergency access: the DMP mode, and HL7's emergency treatment. */
export function purposeOfUse(mode: string): CodeableConcept {
  return {
    coding: [
      { system: CS.ACCESS_MODE, code: mode },
      { system: HL7.ACT_REASON, code: 'ETREAT', display: 'Emergency Treatment' },
    ],
  };
}

function isEmergencyMode(mode: string | null): mode is (typeof EMERGENCY_ACCESS_MODES)[number] {
  return mode !== null && (EMERGENCY_ACCESS_MODES as readonly string[]).includes(mode);
}

function who(row: TraceRow, patientKey: string | null): AuditEventAgent['who'] {
  switch (row.actor_kind) {
    case 'professional':
      return {
        reference: `Practitioner/${row.actor_id}`,
        identifier: { system: SYSTEM.IDNAT_PS, value: row.actor_id },
        ...(row.actor_name ? { display: row.actor_name } : {}),
      };
    case 'patient':
      return patientKey ? { reference: `Patient/${patientKey}`, display: 'patient' } : { display: 'patient' };
    case 'legal_representative':
      return { identifier: { system: SYSTEM.LEGAL_REPRESENTATIVE, value: row.actor_id }, display: 'legal representative' };
    case 'support':
      return { identifier: { system: SYSTEM.SUPPORT_AGENT, value: row.actor_id }, display: 'support' };
    default:
      return { display: `${row.actor_kind}: ${row.actor_id}` };
  }
}

function userRole(row: TraceRow): CodeableConcept[] {
  if (row.actor_kind !== 'professional') return [{ coding: [{ system: CS.ACTOR_KIND, code: row.actor_kind }] }];
  const roles: CodeableConcept[] = [];
  if (row.actor_profession) roles.push({ coding: [{ system: xdsSystemToFhir(OID.TRE_G15), code: row.actor_profession }] });
  if (row.actor_specialty) roles.push({ coding: [{ system: `urn:oid:${SPECIALTY_OID}`, code: row.actor_specialty }] });
  return roles;
}

/** TRE_R38 / TRE_R01 savoir-faire (specialty) as VIHF carries it. */
export const SPECIALTY_OID = '1.2.250.1.71.4.2.5';

export interface AuditContext {
  /** the FHIR base of this server, named as the server agent and source */
  serverBase: string;
  /** the chain key that concerns no record */
  noRecordChain: string;
  /** the reader is the patient side (TRACE-03): a login's row also says the failed attempts before it */
  patientSide?: boolean;
}

/**
 * TRACE-05: failed sign-ins are on the security log, not the record's chain, so the next
 * password step's row carries how many came before and the end of the last lock; the patient
 * side reads them on the account's entity (R4 detail values are strings).
 */
const LOGIN_DETAILS = ['failedAttemptsBefore', 'lockedUntil'] as const;

function loginDetails(row: TraceRow, ctx: AuditContext): NonNullable<AuditEventEntity['detail']> {
  if (!ctx.patientSide || row.action !== 'auth.login.password' || row.target_kind !== 'account') return [];
  const details = row.details ?? {};
  return LOGIN_DETAILS.filter((k) => details[k] !== undefined && details[k] !== null).map((k) => ({ type: k, valueString: String(details[k]) }));
}

export function traceToAuditEvent(row: TraceRow, ctx: AuditContext): AuditEvent {
  const patientKey = row.chain_key === ctx.noRecordChain ? null : row.chain_key;
  const kind = kindOf(row.action);
  const subtype: Coding[] = [];
  if (kind.interaction) subtype.push({ system: HL7.RESTFUL_INTERACTION, code: kind.interaction, display: INTERACTION_DISPLAY[kind.interaction] });
  subtype.push({ system: CS.TRACE_ACTION, code: row.action });
  const emergency = isEmergencyMode(row.access_mode);
  const extension: Extension[] = row.on_patient_request ? [{ url: EXT.ON_PATIENT_REQUEST, valueBoolean: true }] : [];

  const user: AuditEventAgent = {
    type: { coding: [{ system: HL7.DCM, code: '110153', display: 'Source Role ID' }] },
    who: who(row, patientKey),
    requestor: true,
    ...(userRole(row).length ? { role: userRole(row) } : {}),
    ...(emergency ? { purposeOfUse: [purposeOfUse(row.access_mode!)] } : {}),
  };
  const agents: AuditEventAgent[] = [user];
  if (row.actor_structure) {
    agents.push({
      type: { coding: [{ system: HL7.ROLE_CLASS, code: 'PROV', display: 'healthcare provider' }] },
      who: { reference: `Organization/${row.actor_structure}`, identifier: { system: SYSTEM.IDNAT_STRUCT, value: row.actor_structure } },
      requestor: false,
    });
  }
  agents.push({
    type: { coding: [{ system: HL7.DCM, code: '110152', display: 'Destination Role ID' }] },
    who: { display: ctx.serverBase },
    requestor: false,
    network: { address: ctx.serverBase, type: '5' },
  });

  const entity: AuditEventEntity[] = [];
  if (patientKey) {
    entity.push({
      type: { system: HL7.AUDIT_ENTITY_TYPE, code: '1', display: 'Person' },
      role: { system: HL7.OBJECT_ROLE, code: '1', display: 'Patient' },
      what: { reference: `Patient/${patientKey}` },
    });
  }
  if (row.document_logical_id || row.document_entry_uuid || row.document_unique_id) {
    entity.push({
      type: { system: HL7.AUDIT_ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: HL7.OBJECT_ROLE, code: '3', display: 'Report' },
      what: {
        ...(row.document_entry_uuid ? { reference: `DocumentReference/${row.document_entry_uuid}` } : {}),
        ...(row.document_logical_id ? { identifier: { system: SYSTEM.RFC3986, value: `urn:uuid:${row.document_logical_id}` } } : {}),
      },
      ...(row.document_unique_id ? { detail: [{ type: 'uniqueId', valueString: row.document_unique_id }] } : {}),
    });
  }
  if (row.target_kind && row.target_id) {
    const ref =
      row.target_kind === 'professional'
        ? { reference: `Practitioner/${row.target_id}`, identifier: { system: SYSTEM.IDNAT_PS, value: row.target_id } }
        : row.target_kind === 'structure'
          ? { reference: `Organization/${row.target_id}`, identifier: { system: SYSTEM.IDNAT_STRUCT, value: row.target_id } }
          : row.target_kind === 'grant' && patientKey
            ? { reference: `Consent/${pairId(patientKey, row.target_id)}` }
            : { display: `${row.target_kind} ${row.target_id}` };
    const detail = loginDetails(row, ctx);
    entity.push({
      type: { system: HL7.AUDIT_ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: HL7.OBJECT_ROLE, code: '4', display: 'Domain Resource' },
      what: ref,
      name: row.target_kind,
      ...(detail.length ? { detail } : {}),
    });
  }

  const recorded = row.occurred_at instanceof Date ? row.occurred_at.toISOString() : new Date(row.occurred_at).toISOString();
  return {
    resourceType: 'AuditEvent',
    id: pairId(row.chain_key, row.trace_id),
    ...(extension.length ? { extension } : {}),
    type:
      row.channel === 'fhir'
        ? { system: HL7.AUDIT_EVENT_TYPE, code: 'rest', display: 'Restful Operation' }
        : { system: HL7.DCM, code: '110110', display: 'Patient Record' },
    subtype,
    action: kind.action,
    recorded,
    outcome: OUTCOME[row.outcome].code,
    ...(row.reason ? { outcomeDesc: row.reason } : {}),
    ...(emergency ? { purposeOfEvent: [purposeOfUse(row.access_mode!)] } : {}),
    agent: agents,
    source: {
      site: 'carnet',
      observer: { display: ctx.serverBase },
      type: [{ system: HL7.SECURITY_SOURCE_TYPE, code: '4', display: 'Application Server' }],
    },
    ...(entity.length ? { entity } : {}),
  };
}
