// ITI-65 Bundles as a hospital information system or a laboratory would send them: PDSm
// comprehensive metadata, the author as a contained Practitioner (IdNat_PS), the document in a
// Binary of the Bundle.
import { createHash, randomUUID } from 'node:crypto';
import type { Bundle, DocumentReference, List } from '@medplum/fhirtypes';
import { uid } from './world.js';

const LOINC = 'http://loinc.org';
const TRE_A03 = 'https://mos.esante.gouv.fr/NOS/TRE_A03-ClasseDocument/FHIR/TRE-A03-ClasseDocument';
const TRE_A07 = 'https://mos.esante.gouv.fr/NOS/TRE_A07-StatutVisibiliteDocument/FHIR/TRE-A07-StatutVisibiliteDocument';
const V3_CONF = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const MHD = 'https://profiles.ihe.net/ITI/MHD/StructureDefinition';

export interface DocSpec {
  /** DocumentReference.date, when the source says when it made the reference */
  date?: string;
  typeCode?: string;
  /** the typeCode's system (default LOINC) */
  typeSystem?: string;
  classCode?: string;
  confidentiality?: string[];
  content?: string | Buffer;
  mimeType?: string;
  author?: { idNatPs: string; family: string; given: string };
  creation?: string;
  period?: { start?: string; end?: string };
  event?: string;
  related?: { system: string; value: string };
  uniqueId?: string;
  title?: string;
  /** replaces this DocumentReference id */
  replaces?: string;
}

export interface BundleSpec {
  /** subject reference, e.g. `Patient/<key>` or an absolute URL */
  patient: string;
  docs: DocSpec[];
  sourceId?: string;
  designationType?: string;
}

export function provideBundle(spec: BundleSpec): Bundle {
  const ssUrl = `urn:uuid:${randomUUID()}`;
  const entries: NonNullable<Bundle['entry']> = [];
  const members: string[] = [];
  for (const d of spec.docs) {
    const docUrl = `urn:uuid:${randomUUID()}`;
    const binUrl = `urn:uuid:${randomUUID()}`;
    members.push(docUrl);
    const bytes = Buffer.isBuffer(d.content) ? d.content : Buffer.from(d.content ?? `document ${uid()}`, 'utf8');
    const conf = d.confidentiality ?? ['N'];
    const dr: DocumentReference = {
      resourceType: 'DocumentReference',
      meta: { profile: [`${MHD}/IHE.MHD.Comprehensive.DocumentReference`] },
      contained: [
        { resourceType: 'Patient', id: 'sp', identifier: [{ system: 'urn:oid:1.2.250.1.999.7', value: 'IPP-42' }] },
        ...(d.author
          ? [{ resourceType: 'Practitioner' as const, id: 'author1', identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: d.author.idNatPs }], name: [{ family: d.author.family, given: [d.author.given] }] }]
          : []),
      ],
      masterIdentifier: { system: 'urn:ietf:rfc:3986', value: `urn:oid:${d.uniqueId ?? uid()}` },
      status: 'current',
      type: { coding: [{ system: d.typeSystem ?? LOINC, code: d.typeCode ?? '11488-4' }] },
      category: [{ coding: [{ system: TRE_A03, code: d.classCode ?? '10' }] }],
      subject: { reference: spec.patient },
      ...(d.date ? { date: d.date } : {}),
      ...(d.author ? { author: [{ reference: '#author1' }] } : {}),
      ...(d.replaces ? { relatesTo: [{ code: 'replaces' as const, target: { reference: `DocumentReference/${d.replaces}` } }] } : {}),
      securityLabel: conf.map((c) => ({ coding: [{ system: ['N', 'R', 'V'].includes(c) ? V3_CONF : TRE_A07, code: c }] })),
      content: [
        {
          attachment: {
            contentType: d.mimeType ?? 'text/plain',
            language: 'fr-FR',
            url: binUrl,
            size: bytes.length,
            hash: createHash('sha1').update(bytes).digest('base64'),
            title: d.title ?? 'Document',
            creation: d.creation ?? '2026-01-10T09:30:00+01:00',
          },
          format: { system: 'http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode', code: 'urn:ihe:iti:xds-sd:text:2008' },
        },
      ],
      context: {
        ...(d.event ? { event: [{ coding: [{ system: 'urn:oid:1.2.250.1.999.3', code: d.event }] }] } : {}),
        ...(d.period ? { period: d.period } : {}),
        facilityType: { coding: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_R02-SecteurActivite/FHIR/TRE-R02-SecteurActivite', code: 'SA01' }] },
        practiceSetting: { coding: [{ system: 'urn:oid:1.2.250.1.213.1.1.4.9', code: 'ETABLISSEMENT' }] },
        sourcePatientInfo: { reference: '#sp' },
        ...(d.related ? { related: [{ identifier: d.related }] } : {}),
      },
    };
    entries.push({ fullUrl: docUrl, resource: dr, request: { method: 'POST', url: 'DocumentReference' } });
    entries.push({ fullUrl: binUrl, resource: { resourceType: 'Binary', contentType: d.mimeType ?? 'text/plain', data: bytes.toString('base64') }, request: { method: 'POST', url: 'Binary' } });
  }
  const ss: List = {
    resourceType: 'List',
    meta: { profile: [`${MHD}/IHE.MHD.Comprehensive.SubmissionSet`] },
    extension: [
      { url: `${MHD}/ihe-sourceId`, valueIdentifier: { value: `urn:oid:${spec.sourceId ?? '1.2.250.1.999.2'}` } },
      { url: `${MHD}/ihe-designationType`, valueCodeableConcept: { coding: [{ system: 'urn:oid:1.2.250.1.213.1.1.4.2', code: spec.designationType ?? '04' }] } },
    ],
    identifier: [{ use: 'usual', system: 'urn:ietf:rfc:3986', value: `urn:oid:${uid()}` }],
    status: 'current',
    mode: 'working',
    code: { coding: [{ system: 'https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes', code: 'submissionset' }] },
    subject: { reference: spec.patient },
    date: '2026-01-10T10:00:00+01:00',
    entry: members.map((m) => ({ item: { reference: m } })),
  };
  entries.unshift({ fullUrl: ssUrl, resource: ss, request: { method: 'POST', url: 'List' } });
  return {
    resourceType: 'Bundle',
    meta: { profile: [`${MHD}/IHE.MHD.Comprehensive.ProvideBundle`] },
    type: 'transaction',
    entry: entries,
  };
}
