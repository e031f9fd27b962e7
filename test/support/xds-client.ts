// A small XDS.b client for end-to-end tests: SOAP 1.2 envelopes with a signed VIHF, sent plain or
// as MTOM to the door, and readers for the parts of the answers tests look at.
import { randomUUID } from 'node:crypto';
import type { ProfessionalActor } from '../../src/domain/actor.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import type { SubmissionRequest } from '../../src/domain/submission.js';
import { writeProvideAndRegisterRequest } from '../../src/xds/ebrim/write.js';
import { issueVihf, securityHeader } from '../../src/auth/vihf-issuer.js';
import { buildMtomMessage, readSoapPayload, type Attachment } from '../../src/xds/mtom.js';
import { XDS_ACTIONS } from '../../src/xds/soap.js';
import { NS, parseXml, TRUSTED_XML_LIMITS, type Document } from '../../src/xml/index.js';
import { testSigner, type KeyPair } from './vihf-keys.js';

export { XDS_ACTIONS };

/** An ITI-41 Provide and Register body for `sub`, each document's content its MTOM attachment. */
export function provideAndRegister(sub: SubmissionRequest): { body: string; attachments: Attachment[] } {
  const cids = new Map<string, string>();
  const attachments: Attachment[] = [];
  for (const d of sub.documents) {
    if (!d.content) continue;
    const cid = `${randomUUID()}@test`;
    cids.set(d.id, cid);
    attachments.push({ contentId: cid, contentType: d.metadata.mimeType, body: d.content });
  }
  return { body: writeProvideAndRegisterRequest(sub, cids), attachments };
}

export interface VihfOptions {
  patientId?: PatientIdentifier;
  signer?: KeyPair;
  now?: Date;
  validitySeconds?: number;
}

/** A signed VIHF assertion for a professional actor (TEST-ONLY trusted signer by default). */
export function vihfFor(actor: ProfessionalActor, o: VihfOptions = {}): string {
  const signer = o.signer ?? testSigner('trusted');
  return issueVihf(
    {
      idNatPs: actor.idNatPs,
      profession: { code: actor.profession, codeSystem: '1.2.250.1.71.1.2.7' },
      ...(actor.specialty ? { specialty: { code: actor.specialty, codeSystem: '1.2.250.1.71.4.2.5' } } : {}),
      structureId: actor.structureId ?? '',
      subjectName: [actor.given, actor.family].filter(Boolean).join(' ') || 'Test',
      mode: actor.mode,
      ...(o.patientId ? { patientId: o.patientId } : {}),
    },
    { ...signer, now: o.now, validitySeconds: o.validitySeconds },
  );
}

export function envelope(action: string, bodyXml: string, securityXml?: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<env:Envelope xmlns:env="${NS.soap12}" xmlns:wsa="${NS.wsa}"><env:Header>` +
    `<wsa:Action env:mustUnderstand="true">${action}</wsa:Action>` +
    `<wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID>` +
    (securityXml ?? '') +
    `</env:Header><env:Body>${bodyXml}</env:Body></env:Envelope>`
  );
}

export interface XdsAnswer {
  status: number;
  contentType: string;
  headers: Headers;
  xml: string;
  doc: Document;
  attachments: Map<string, Buffer>;
}

export interface SendOptions {
  /** the wsse:Security header XML; `null` sends none */
  security?: string | null;
  assertion?: string;
  attachments?: Attachment[];
  mtom?: boolean;
  requestId?: string;
}

export async function postSoap(url: string, action: string, bodyXml: string, o: SendOptions = {}): Promise<XdsAnswer> {
  const security = o.security === null ? undefined : (o.security ?? (o.assertion ? securityHeader(o.assertion) : undefined));
  const env = envelope(action, bodyXml, security);
  let body: Buffer;
  let contentType: string;
  if (o.mtom || o.attachments?.length) {
    const m = buildMtomMessage(env, o.attachments ?? [], action);
    body = Buffer.concat(m.chunks);
    contentType = m.contentType;
  } else {
    body = Buffer.from(env, 'utf8');
    contentType = `application/soap+xml; charset=UTF-8; action="${action}"`;
  }
  return sendRaw(url, contentType, body, o.requestId);
}

export async function sendRaw(url: string, contentType: string, body: Buffer, requestId?: string): Promise<XdsAnswer> {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (requestId) headers['x-request-id'] = requestId;
  const res = await fetch(url, { method: 'POST', headers, body: body as unknown as RequestInit['body'] });
  const raw = Buffer.from(await res.arrayBuffer());
  const ct = res.headers.get('content-type') ?? '';
  const payload = readSoapPayload(raw, ct);
  return { status: res.status, contentType: ct, headers: res.headers, xml: payload.envelope, doc: parseXml(payload.envelope, TRUSTED_XML_LIMITS), attachments: payload.attachments };
}

const STATUS = /status="urn:[^"]*:ResponseStatusType:(\w+)"/;

/** Success | Failure | PartialSuccess of the (first) response status in the answer. */
export function responseStatus(a: XdsAnswer): string | undefined {
  return STATUS.exec(a.xml)?.[1];
}

export function errorCodes(a: XdsAnswer): string[] {
  return [...a.xml.matchAll(/errorCode="([^"]+)"/g)].map((m) => m[1]!);
}

export function faultSubcode(a: XdsAnswer): string | undefined {
  const m = /<env:Subcode><env:Value>([^<]+)<\/env:Value>/.exec(a.xml);
  return m?.[1];
}

export function isFault(a: XdsAnswer): boolean {
  return a.doc.getElementsByTagNameNS(NS.soap12, 'Fault').length > 0;
}

/** Objects of an AdhocQueryResponse, by kind. */
export function queryObjects(a: XdsAnswer): { documents: string[]; submissionSets: string[]; folders: string[]; associations: string[]; objectRefs: string[]; uniqueIds: string[] } {
  const ids = (local: string) => Array.from(a.doc.getElementsByTagNameNS(NS.rim, local)).map((e) => e.getAttribute('id') ?? '');
  const packages = Array.from(a.doc.getElementsByTagNameNS(NS.rim, 'RegistryPackage'));
  const isSs = (p: Element) => Array.from(p.getElementsByTagNameNS(NS.rim, 'Classification')).some((c) => c.getAttribute('classificationNode') === 'urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd');
  const uniqueIds = Array.from(a.doc.getElementsByTagNameNS(NS.rim, 'ExternalIdentifier'))
    .filter((e) => e.getAttribute('identificationScheme') === 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab')
    .map((e) => e.getAttribute('value') ?? '');
  return {
    documents: ids('ExtrinsicObject'),
    submissionSets: packages.filter((p) => isSs(p as unknown as Element)).map((p) => p.getAttribute('id') ?? ''),
    folders: packages.filter((p) => !isSs(p as unknown as Element)).map((p) => p.getAttribute('id') ?? ''),
    associations: ids('Association'),
    objectRefs: ids('ObjectRef'),
    uniqueIds,
  };
}

/** An AdhocQueryRequest body for a stored query id and its slots (values already quoted). */
export function adhocQuery(id: string, slots: Record<string, string | string[]>, returnType: 'LeafClass' | 'ObjectRef' = 'LeafClass'): string {
  const slotXml = Object.entries(slots)
    .map(([name, v]) => `<rim:Slot name="${name}"><rim:ValueList>${(Array.isArray(v) ? v : [v]).map((x) => `<rim:Value>${x}</rim:Value>`).join('')}</rim:ValueList></rim:Slot>`)
    .join('');
  return (
    `<query:AdhocQueryRequest xmlns:query="${NS.query}" xmlns:rim="${NS.rim}">` +
    `<query:ResponseOption returnComposedObjects="true" returnType="${returnType}"/>` +
    `<rim:AdhocQuery id="${id}">${slotXml}</rim:AdhocQuery></query:AdhocQueryRequest>`
  );
}

export function cx(p: PatientIdentifier): string {
  return `'${p.value}^^^&amp;${p.system}&amp;ISO'`;
}
