import { describe, expect, it } from '@jest/globals';
import { traceToAuditEvent } from '../../../src/fhir/mappings/audit-event.js';
import { namedId, pairId, parseRecordScopedId } from '../../../src/fhir/mappings/composite-id.js';
import { consentToIntent, itemToConsent } from '../../../src/fhir/mappings/consent.js';
import { recordToPatient } from '../../../src/fhir/mappings/patient.js';
import { dateRange } from '../../../src/fhir/routes/search-params.js';
import type { TraceRow } from '../../../src/services/history.js';

const PK = '0f8fad5b-d9cb-469f-a165-70867728950e';
const LOCAL = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

describe('record-scoped ids', () => {
  it('pair two uuids in 64 characters and read them back', () => {
    const id = pairId(PK, LOCAL);
    expect(id).toHaveLength(64);
    expect(parseRecordScopedId(id)).toEqual({ kind: 'pair', patientKey: PK, localId: LOCAL });
    expect(parseRecordScopedId(namedId(PK, 'centre-15'))).toEqual({ kind: 'named', patientKey: PK, name: 'centre-15' });
    expect(parseRecordScopedId('Patient-1')).toBeNull();
  });
});

describe('date parameters', () => {
  it('turn prefixes and precisions into one half-open interval', () => {
    expect(dateRange(['ge2026-01-10', 'le2026-01-10'], 'date')).toEqual({
      from: new Date('2026-01-10T00:00:00Z'),
      to: new Date('2026-01-11T00:00:00Z'),
    });
    expect(dateRange(['gt2026-01'], 'date')).toEqual({ from: new Date('2026-02-01T00:00:00Z') });
    expect(dateRange(['lt2026-01-10T10:00:00+01:00'], 'date')).toEqual({ to: new Date('2026-01-10T09:00:00Z') });
    expect(dateRange(['eq2026-01-10T10:00'], 'date')).toEqual({ from: new Date('2026-01-10T10:00:00Z'), to: new Date('2026-01-10T10:01:00Z') });
    expect(() => dateRange(['soon'], 'date')).toThrow();
    expect(() => dateRange(['ne2026-01-10'], 'date')).toThrow();
  });
});

describe('Patient from a record', () => {
  it('shows a closed record as inactive with the ANS closure extension, and invents nothing', () => {
    const p = recordToPatient({ patientKey: PK, status: 'closed', closedAt: new Date('2026-02-01T08:00:00Z'), closureReason: null, identifiers: [{ system: '1.2.250.1.213.1.4.8', value: '1234567890123' }] });
    expect(p).toEqual({
      resourceType: 'Patient',
      id: PK,
      extension: [
        {
          url: 'https://interop.esante.gouv.fr/ig/fhir/dmp/StructureDefinition/dmp-fermeture',
          extension: [
            { url: 'dateFermeture', valueDateTime: '2026-02-01T08:00:00.000Z' },
            { url: 'motifFermeture', valueCoding: { system: 'https://carnet.example/fhir/CodeSystem/dmp-closure-motive', code: 'patient-demande' } },
          ],
        },
      ],
      identifier: [{ system: 'urn:oid:1.2.250.1.213.1.4.8', value: '1234567890123' }],
      active: false,
    });
  });
});

describe('Consent', () => {
  it('round-trips an emergency opposition and a block through the intent a client sends', () => {
    const opposed = itemToConsent({ kind: 'emergency', patientKey: PK, mode: 'centre_15', opposed: true });
    expect(consentToIntent(opposed)).toEqual({ kind: 'emergency', patientKey: PK, status: 'active', mode: 'centre_15', opposed: true });
    const block = itemToConsent({
      kind: 'access',
      patientKey: PK,
      grant: { grant_id: LOCAL, subject_kind: 'professional', subject_id: '810000000002', effect: 'deny', created_at: new Date(0), created_by: 'patient', on_patient_request: false, revoked_at: null, revoked_by: null },
    });
    expect(block.id).toBe(pairId(PK, LOCAL));
    expect(consentToIntent(block)).toMatchObject({ kind: 'access', subjectKind: 'professional', subjectId: '810000000002', effect: 'deny' });
  });
});

describe('AuditEvent from a trace row', () => {
  const row: TraceRow = {
    chain_key: PK, lane: 0, seq: 3, trace_id: LOCAL, occurred_at: new Date('2026-01-10T10:00:00Z'), actor_kind: 'professional', actor_id: '810000000003',
    actor_name: 'Chloé Samu', actor_profession: '10', actor_specialty: 'SM26', actor_structure: '1690000002', action: 'record.read', outcome: 'denied',
    reason: 'emergency_opposed', access_mode: 'centre_15', on_patient_request: false, document_logical_id: null, document_entry_uuid: null,
    document_unique_id: null, target_kind: null, target_id: null, channel: 'xds', request_id: null, details: {}, prev_hash: '', hash: '',
  };
  it('flags the emergency purpose, says the refusal, and names the structure as an agent', () => {
    const e = traceToAuditEvent(row, { serverBase: 'https://host/fhir', noRecordChain: '00000000-0000-0000-0000-000000000000' });
    expect(e.action).toBe('E');
    expect(e.outcome).toBe('4');
    expect(e.outcomeDesc).toBe('emergency_opposed');
    expect(e.type.code).toBe('110110');
    expect(e.agent[0].purposeOfUse?.[0].coding?.[0].code).toBe('centre_15');
    expect(e.agent[1].who?.reference).toBe('Organization/1690000002');
    expect(e.entity).toEqual([expect.objectContaining({ what: { reference: `Patient/${PK}` } })]);
  });

  it('TRACE-05: a login\'s row tells the patient side, on the account, the failed attempts before it and the last lock; no one else', () => {
    const login: TraceRow = {
      ...row, actor_kind: 'patient', actor_id: PK, actor_name: null, actor_profession: null, actor_specialty: null, actor_structure: null,
      action: 'auth.login.password', outcome: 'success', reason: null, access_mode: null, target_kind: 'account', target_id: 'acc-1', channel: 'web',
      details: { remote: '127.0.0.1', codeChannel: 'email', temporaryPassword: false, failedAttemptsBefore: 2, lockedUntil: '2026-01-10T09:50:00.000Z' },
    };
    const ctx = { serverBase: 'https://host/fhir', noRecordChain: '00000000-0000-0000-0000-000000000000' };
    const account = (e: ReturnType<typeof traceToAuditEvent>) => e.entity?.find((x) => x.name === 'account');
    expect(account(traceToAuditEvent(login, { ...ctx, patientSide: true }))?.detail).toEqual([
      { type: 'failedAttemptsBefore', valueString: '2' },
      { type: 'lockedUntil', valueString: '2026-01-10T09:50:00.000Z' },
    ]);
    expect(account(traceToAuditEvent(login, ctx))?.detail).toBeUndefined();
    expect(account(traceToAuditEvent({ ...login, details: { remote: '127.0.0.1' } }, { ...ctx, patientSide: true }))?.detail).toBeUndefined();
  });
});
