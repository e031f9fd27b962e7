// Sending one XDS.b request as the toolkit would: a SOAP 1.2 envelope with WS-Addressing and a
// wsse:Security header, MTOM when documents travel with it, plain SOAP otherwise; then reading
// the answer (MTOM or plain) back into its body element, or its SOAP Fault.
import { buildMtomMessage, newContentId, readSoapPayload } from '../../xds/mtom.js';
import type { Attachment } from '../../xds/mtom.js';
import { parseSoapEnvelope } from '../../xds/soap.js';
import { buildSoapEnvelope } from '../../xds/soap-write.js';
import { NS, childElements, firstChild, textOf } from '../../xml/index.js';
import type { Element } from '../../xml/index.js';

/** A server under test that never answers must not hang the run. */
const TIMEOUT_MS = 120_000;

export interface XdsRequest {
  url: string;
  action: string;
  /** the body element, serialised */
  bodyXml: string;
  /** serialised header blocks (wsse:Security) */
  securityXml?: string;
  /** MTOM attachments; their Content-IDs must be those the body's xop:Include name */
  attachments?: Attachment[];
  /** send MTOM even without attachments */
  mtom?: boolean;
}

export interface SoapFaultInfo {
  code: string;
  subcode?: string;
  reason: string;
}

export interface XdsResponse {
  httpStatus: number;
  contentType: string;
  envelope?: string;
  /** the single child of env:Body (a Fault too) */
  body?: Element;
  fault?: SoapFaultInfo;
  attachments: Map<string, Buffer>;
  /** why the answer could not be read as SOAP */
  unreadable?: string;
}

export { newContentId };

function readFault(body: Element): SoapFaultInfo {
  const code = firstChild(body, NS.soap12, 'Code');
  const value = code ? textOf(firstChild(code, NS.soap12, 'Value')).trim() : '';
  const sub = code ? firstChild(code, NS.soap12, 'Subcode') : undefined;
  const reason = firstChild(body, NS.soap12, 'Reason');
  const texts = reason ? childElements(reason, NS.soap12, 'Text').map((t) => textOf(t).trim()) : [];
  return {
    code: value,
    subcode: sub ? textOf(firstChild(sub, NS.soap12, 'Value')).trim() : undefined,
    reason: texts.join(' / ') || textOf(body).trim(),
  };
}

/** Reads an HTTP answer as a SOAP message; anything else is described in `unreadable`. */
export function readResponse(httpStatus: number, contentType: string, raw: Buffer): XdsResponse {
  const out: XdsResponse = { httpStatus, contentType, attachments: new Map() };
  try {
    const payload = readSoapPayload(raw, contentType || undefined);
    out.attachments = payload.attachments;
    out.envelope = payload.envelope;
    const soap = parseSoapEnvelope(payload.envelope);
    out.body = soap.body;
    if (soap.body.namespaceURI === NS.soap12 && soap.body.localName === 'Fault') out.fault = readFault(soap.body);
  } catch (e) {
    const text = raw.subarray(0, 300).toString('utf8').replace(/\s+/g, ' ');
    out.unreadable = `HTTP ${httpStatus} ${contentType || '(no content type)'}: ${e instanceof Error ? e.message : String(e)}; body starts "${text}"`;
  }
  return out;
}

/** Builds, sends and reads one request. */
export async function sendXds(req: XdsRequest): Promise<XdsResponse> {
  const envelope = buildSoapEnvelope({ action: req.action, to: req.url, headersXml: req.securityXml, bodyXml: req.bodyXml });
  let body: Buffer;
  let contentType: string;
  if (req.mtom || (req.attachments && req.attachments.length)) {
    const m = buildMtomMessage(envelope, req.attachments ?? [], req.action);
    body = Buffer.concat(m.chunks);
    contentType = m.contentType;
  } else {
    body = Buffer.from(envelope, 'utf8');
    contentType = `application/soap+xml; charset=UTF-8; action="${req.action}"`;
  }
  const res = await fetch(req.url, {
    method: 'POST',
    headers: { 'content-type': contentType },
    // a Buffer is a valid fetch body; the DOM typings only lack the overload
    body: body as unknown as BodyInit,
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const raw = Buffer.from(await res.arrayBuffer());
  return readResponse(res.status, res.headers.get('content-type') ?? '', raw);
}
