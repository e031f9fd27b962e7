// The page's readings of FHIR resources and the requests it builds.
import type { AuditEvent, DocumentReference } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { accessConsent, emergencyConsent, summarise } from '../src/fhir/consents';
import { depositBundle, randomOid } from '../src/fhir/deposit';
import { documentView, fileNameOf, viewerKind } from '../src/fhir/documents';
import { historyEntry } from '../src/fhir/history';
import { CS, EXT } from '../src/fhir/systems';

describe('documents', () => {
  const dr: DocumentReference = {
    resourceType: 'DocumentReference',
    id: 'd1',
    status: 'current',
    contained: [{ resourceType: 'Practitioner', id: 'author1', name: [{ family: 'Martin', given: ['Alice'] }] }, { resourceType: 'Organization', id: 'org', name: 'CH de Test' }],
    author: [{ reference: '#author1' }],
    category: [{ coding: [{ code: '10' }] }],
    type: { coding: [{ code: '11488-4', display: 'CR de consultation' }] },
    securityLabel: [{ coding: [{ code: 'N' }] }, { coding: [{ system: CS.visibility, code: 'MASQUE_PS' }] }],
    extension: [{ url: EXT.isArchived, valueBoolean: true }],
    date: '2026-01-10T10:00:00Z',
    content: [{ attachment: { contentType: 'application/pdf; charset=binary', title: 'Bilan (été)', creation: '2026-01-09' } }],
  };

  it('says what a document is, who wrote it, and its state', () => {
    expect(documentView(dr)).toMatchObject({ id: 'd1', title: 'Bilan (été)', author: 'Alice Martin', organization: 'CH de Test', classCode: '10', mimeType: 'application/pdf', masked: true, archived: true, own: false, date: '2026-01-09' });
    expect(documentView({ ...dr, category: [{ coding: [{ code: '90' }] }] }).own).toBe(true);
  });

  it('shows PDF, text, CDA and images; anything else only downloads, as a file with a clean name', () => {
    expect(['application/pdf', 'text/plain', 'text/xml', 'image/png', 'text/html', 'image/svg+xml'].map(viewerKind)).toEqual(['pdf', 'text', 'cda', 'image', 'none', 'none']);
    expect(fileNameOf({ id: 'd1', title: 'Bilan (été) / 2026', mimeType: 'application/pdf' })).toBe('Bilan-ete-2026.pdf');
  });
});

describe('an own document (DOC-08)', () => {
  it('is an ITI-65 transaction: submission set, document reference and its bytes', () => {
    const bytes = new TextEncoder().encode('Allergie à la pénicilline.');
    const b = depositBundle({ patientId: 'p1', title: 'Allergies', typeCode: 'EXPPAT_2', typeDisplay: 'Autre document', mimeType: 'text/plain', bytes, now: new Date('2026-03-01T10:00:00Z') });
    const [ss, doc, bin] = b.entry!;
    expect(b.type).toBe('transaction');
    expect(ss.resource).toMatchObject({ resourceType: 'List', subject: { reference: 'Patient/p1' }, entry: [{ item: { reference: doc.fullUrl } }] });
    expect(doc.resource).toMatchObject({ resourceType: 'DocumentReference', category: [{ coding: [{ code: '90' }] }], content: [{ attachment: { url: bin.fullUrl, title: 'Allergies', size: bytes.length } }] });
    const data = (bin.resource as { data: string }).data;
    expect(new TextDecoder().decode(Uint8Array.from(atob(data), (c) => c.charCodeAt(0)))).toBe('Allergie à la pénicilline.');
  });

  it('draws unique OIDs under 2.25', () => {
    const a = randomOid();
    expect(a).toMatch(/^2\.25\.[1-9]\d{0,38}$/);
    expect(randomOid()).not.toBe(a);
  });
});

describe('consents and history', () => {
  it('reads authorisations, blocks, emergency oppositions and the médecin traitant', () => {
    const grant = { ...accessConsent('p1', { type: 'Practitioner', id: '81' }, 'permit'), id: 'c1' };
    const block = { ...accessConsent('p1', { type: 'Practitioner', id: '82' }, 'deny'), id: 'c2' };
    const opposed = { ...emergencyConsent('p1', 'centre_15', true), id: 'p1-centre-15' };
    const s = summarise([grant, block, opposed, { ...grant, id: 'old', status: 'inactive' }]);
    expect(s.grants.map((g) => [g.consentId, g.effect])).toEqual([['c1', 'permit'], ['c2', 'deny']]);
    expect(s.opposed).toEqual({ bris_de_glace: false, centre_15: true });
  });

  const auditEvent = (id: string, rest: Partial<AuditEvent>): AuditEvent => ({ resourceType: 'AuditEvent', id, recorded: '2026-03-01T10:00:00Z', outcome: '0', type: { code: 'rest' }, agent: [], source: { observer: {} }, ...rest });

  it('reads the history marks and links of an AuditEvent', () => {
    const e = auditEvent('a1', {
      meta: { tag: ['professional', 'new-since-last-login', 'first-access', 'emergency-access'].map((code) => ({ system: CS.historyMark, code })) },
      subtype: [{ system: CS.traceAction, code: 'record.read' }],
      agent: [{ requestor: true, who: { reference: 'Practitioner/81', display: 'Félix Potion' }, role: [{ coding: [{ system: CS.profession, code: '21' }] }] }],
      entity: [{ what: { reference: 'DocumentReference/d1' } }],
    });
    expect(historyEntry(e)).toMatchObject({ side: 'professional', isNew: true, firstAccess: true, emergency: true, practitionerId: '81', actorName: 'Félix Potion', profession: '21', action: 'record.read', documentId: 'd1', outcome: 'success' });
  });

  it('TRACE-05: reads, on a login, the failed attempts before it and the end of the last lock', () => {
    const e = auditEvent('a2', {
      subtype: [{ system: CS.traceAction, code: 'auth.login.password' }],
      agent: [{ requestor: true, who: { display: 'patient' } }],
      entity: [{ name: 'account', what: { display: 'account a1' }, detail: [{ type: 'failedAttemptsBefore', valueString: '2' }, { type: 'lockedUntil', valueString: '2026-03-01T09:45:00.000Z' }] }],
    });
    expect(historyEntry(e)).toMatchObject({ action: 'auth.login.password', failedAttemptsBefore: 2, lockedUntil: '2026-03-01T09:45:00.000Z' });
    expect(historyEntry({ ...e, entity: [{ name: 'account' }] })).not.toHaveProperty('failedAttemptsBefore');
  });
});
