// A DocumentReference as the page shows it: what it is, who wrote it, when, its state.
import type { DocumentReference, Practitioner, Organization, PractitionerRole } from '@medplum/fhirtypes';
import { EXT, FLAG, OWN_DOCUMENT_CLASS } from './systems';

export interface DocumentView {
  id: string;
  /** the document's title, else its type's display */
  title: string;
  typeCode?: string;
  typeDisplay?: string;
  classCode?: string;
  /** when the document was written (attachment.creation), else stored */
  date?: string;
  /** when it was stored in the record */
  storedAt?: string;
  author?: string;
  organization?: string;
  mimeType: string;
  size?: number;
  archived: boolean;
  /** MASQUE_PS: hidden from professionals (MASK-01) */
  masked: boolean;
  /** the patient side's own document ("Expression libre") */
  own: boolean;
  status: DocumentReference['status'];
  flags: string[];
}

function nameOf(r: Practitioner | undefined): string | undefined {
  const n = r?.name?.[0];
  if (!n) return undefined;
  return n.text ?? [n.prefix?.join(' '), n.given?.join(' '), n.family].filter(Boolean).join(' ');
}

export function documentView(dr: DocumentReference): DocumentView {
  const contained = dr.contained ?? [];
  const byRef = (ref?: string) => contained.find((c) => ref && `#${c.id}` === ref);
  const authorRefs = (dr.author ?? []).map((a) => byRef(a.reference));
  const practitioner =
    (authorRefs.find((r) => r?.resourceType === 'Practitioner') as Practitioner | undefined) ??
    (contained.find((c) => c.resourceType === 'Practitioner' && c.id !== 'authenticator') as Practitioner | undefined);
  const role = authorRefs.find((r) => r?.resourceType === 'PractitionerRole') as PractitionerRole | undefined;
  const organization =
    (authorRefs.find((r) => r?.resourceType === 'Organization') as Organization | undefined) ??
    (byRef(role?.organization?.reference) as Organization | undefined) ??
    (contained.find((c) => c.resourceType === 'Organization') as Organization | undefined);
  const attachment = dr.content?.[0]?.attachment;
  const flags = (dr.securityLabel ?? []).flatMap((s) => (s.coding ?? []).map((c) => c.code ?? '')).filter(Boolean);
  const classCode = dr.category?.[0]?.coding?.[0]?.code;
  const typeCoding = dr.type?.coding?.[0];
  return {
    id: dr.id ?? '',
    title: attachment?.title || typeCoding?.display || dr.type?.text || '',
    typeCode: typeCoding?.code,
    typeDisplay: typeCoding?.display,
    classCode,
    date: attachment?.creation ?? dr.date,
    storedAt: dr.date,
    author: nameOf(practitioner),
    organization: organization?.name,
    mimeType: (attachment?.contentType ?? 'application/octet-stream').split(';')[0].trim().toLowerCase(),
    size: attachment?.size,
    archived: (dr.extension ?? []).some((e) => e.url === EXT.isArchived && e.valueBoolean === true),
    masked: flags.includes(FLAG.masked),
    own: classCode === OWN_DOCUMENT_CLASS,
    status: dr.status,
    flags,
  };
}

/** How the viewer shows a document of this type; anything else is offered for download only. */
export type ViewerKind = 'pdf' | 'text' | 'cda' | 'image' | 'none';

export function viewerKind(mimeType: string): ViewerKind {
  if (mimeType === 'application/pdf') return 'pdf';
  if (mimeType === 'text/plain') return 'text';
  if (mimeType === 'text/xml' || mimeType === 'application/xml' || mimeType === 'application/hl7-v3+xml' || mimeType === 'application/cda+xml') return 'cda';
  if (['image/png', 'image/jpeg', 'image/gif', 'image/webp'].includes(mimeType)) return 'image';
  return 'none';
}

/** A file name for the download: the title, cleaned, with an extension from the type. */
export function fileNameOf(doc: Pick<DocumentView, 'title' | 'mimeType' | 'id'>): string {
  const ext: Record<string, string> = { 'application/pdf': 'pdf', 'text/plain': 'txt', 'text/xml': 'xml', 'application/xml': 'xml', 'application/hl7-v3+xml': 'xml', 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' };
  const base = (doc.title || doc.id).normalize('NFKD').replace(/[^\w\- ]+/g, '').trim().replace(/\s+/g, '-').slice(0, 60) || doc.id;
  return `${base}.${ext[doc.mimeType] ?? 'bin'}`;
}
