// DOC-08: the patient side adds a document of its own ("Expression libre") through ITI-65, as
// any MHD Document Source would: a transaction Bundle with the SubmissionSet, the
// DocumentReference (minimal metadata) and the bytes in a Binary. The server fills in the
// author from the session and decides whether the deposit is allowed.
import type { Bundle } from '@medplum/fhirtypes';
import { CS, EXT, OWN_DOCUMENT_CLASS } from './systems';

/** The page's own sourceId (an OID under 2.25, from a fixed UUID). */
export const PAGE_SOURCE_OID = '2.25.265610077674321208630455751645918983590';

/** An OID under 2.25 (ITU-T X.667) made from a random UUID: unique without a registry. */
export function randomOid(): string {
  const hex = crypto.randomUUID().replace(/-/g, '');
  return `2.25.${BigInt(`0x${hex}`).toString(10)}`;
}

export interface OwnDocument {
  patientId: string;
  title: string;
  /** TRE_A05 code of the patient's own documents: EXPPAT_1, EXPPAT_2, EXPPAT_3 */
  typeCode: string;
  typeDisplay: string;
  mimeType: string;
  bytes: Uint8Array;
  now: Date;
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function depositBundle(d: OwnDocument): Bundle {
  const uuid = () => `urn:uuid:${crypto.randomUUID()}`;
  const [ss, doc, bin] = [uuid(), uuid(), uuid()];
  const when = d.now.toISOString();
  return {
    resourceType: 'Bundle',
    meta: { profile: ['https://profiles.ihe.net/ITI/MHD/StructureDefinition/IHE.MHD.Minimal.ProvideBundle'] },
    type: 'transaction',
    entry: [
      {
        fullUrl: ss,
        resource: {
          resourceType: 'List',
          extension: [{ url: EXT.mhdSourceId, valueIdentifier: { value: `urn:oid:${PAGE_SOURCE_OID}` } }],
          identifier: [{ use: 'usual', system: 'urn:ietf:rfc:3986', value: `urn:oid:${randomOid()}` }],
          status: 'current',
          mode: 'working',
          code: { coding: [{ system: CS.mhdListTypes, code: 'submissionset' }] },
          subject: { reference: `Patient/${d.patientId}` },
          date: when,
          entry: [{ item: { reference: doc } }],
        },
        request: { method: 'POST', url: 'List' },
      },
      {
        fullUrl: doc,
        resource: {
          resourceType: 'DocumentReference',
          masterIdentifier: { system: 'urn:ietf:rfc:3986', value: `urn:oid:${randomOid()}` },
          status: 'current',
          type: { coding: [{ system: CS.patientDocumentType, code: d.typeCode, display: d.typeDisplay }] },
          category: [{ coding: [{ system: CS.documentClass, code: OWN_DOCUMENT_CLASS }] }],
          subject: { reference: `Patient/${d.patientId}` },
          content: [{ attachment: { contentType: d.mimeType, url: bin, title: d.title, creation: when, size: d.bytes.length } }],
        },
        request: { method: 'POST', url: 'DocumentReference' },
      },
      { fullUrl: bin, resource: { resourceType: 'Binary', contentType: d.mimeType, data: base64(d.bytes) }, request: { method: 'POST', url: 'Binary' } },
    ],
  };
}
