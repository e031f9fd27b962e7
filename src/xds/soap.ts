// SOAP 1.2 envelopes with WS-Addressing, as the XDS.b transactions use them: reading requests
// (the Header before the sender is known, the Body after). Answers and Faults are written by
// soap-write.ts; a small Body read in one tree with the Header is made by soap-body-tree.ts.
import { isInputLimitError, type InputLimitError } from '../domain/input-limits.js';
import { DEFAULT_SOAP_MAX_HEADER_ELEMENTS } from '../xml/limits.js';
import { DEFAULT_XML_LIMITS, NS, childElements, firstChild, parseScannedXml, parseScannedXmlInSlices, scanXmlText, scanXmlTextInSlices, textOf, XmlParseError, type RootChild, type ScannedXml, type XmlLimits } from '../xml/index.js';
import type { Document, Element } from '../xml/index.js';
import { XdsWireError } from './wire-error.js';
import { hollowed, localNameOf, securitySpan } from './soap-security-block.js';
import { ONE_TREE_MAX_BODY_CHARS, oneTree, plainTree } from './soap-body-tree.js';
import type { QualifiedName } from './wire-error.js';

/** Request actions of the transactions Carnet serves, with their response actions. */
export const XDS_ACTIONS = {
  'ITI-41': 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b',
  'ITI-42': 'urn:ihe:iti:2007:RegisterDocumentSet-b',
  'ITI-18': 'urn:ihe:iti:2007:RegistryStoredQuery',
  'ITI-43': 'urn:ihe:iti:2007:RetrieveDocumentSet',
  'ITI-57': 'urn:ihe:iti:2010:UpdateDocumentSet',
  'ITI-92': 'urn:ihe:iti:2018:RestrictedUpdateDocumentSet',
  'ITI-62': 'urn:ihe:iti:2010:DeleteDocumentSet',
  'ITI-86': 'urn:ihe:iti:2017:RemoveDocuments',
  'ITI-51': 'urn:ihe:iti:2009:MultiPatientStoredQuery',
} as const;

export type XdsTransaction = keyof typeof XDS_ACTIONS;

export function transactionForAction(action: string | undefined): XdsTransaction | undefined {
  if (!action) return undefined;
  for (const [tx, a] of Object.entries(XDS_ACTIONS)) if (a === action) return tx as XdsTransaction;
  return undefined;
}

/** The response action of a request action (`...-b` -> `...-bResponse`). */
export function responseAction(requestAction: string): string {
  return `${requestAction}Response`;
}

export interface SoapHeader {
  action?: string;
  messageId?: string;
  to?: string;
  replyTo?: string;
}

/**
 * The wsse:Security header block as the envelope carries it. Its text and the text before the
 * Header's children (the prolog and the Envelope's and Header's start tags: every namespace
 * declaration in scope in the block) say exactly what the block means: two blocks with the same
 * context parse alike, so a verifier may remember what it found in one (src/auth/vihf.ts) and
 * never parse it again. The element is parsed at the first call of element().
 */
export interface SecurityBlock {
  /** absent when the Header was parsed whole (no single, non-empty block named Security in it) */
  context?: readonly string[];
  element(): Element;
}

/** What is read of an envelope before its sender is known: the Header alone. */
export interface SoapHead {
  header: SoapHeader;
  /** the wsse:Security header block, untouched, for authentication */
  security?: SecurityBlock;
  /**
   * the single child element of env:Body, parsed when asked (once the sender is known). `plain`:
   * the caller reads it with src/xml/dom.ts's walks alone (childElements, firstChild, attr,
   * textOf), so the plain reader's element will do (src/xml/plain-read.ts); any other gets the DOM's.
   */
  readBody(plain?: boolean): Element;
  /**
   * The same, a large Body parsed in slices of BODY_SLICE_ELEMENTS elements with the event loop
   * served between them (src/xml/sliced-parse.ts): what the door asks for. `plain` as readBody's,
   * for a Body small enough to be read with the Header.
   */
  readBodyInSlices(plain?: boolean): Promise<Element>;
}

export interface SoapRequest {
  header: SoapHeader;
  security?: Element;
  body: Element;
}

/**
 * env:mustUnderstand is an xs:boolean (SOAP 1.2 Part 1 §5.2.3): its white space collapses, so
 * ` true ` is true. A value outside the type's four words is not taken as false, which would let
 * a block its sender needs understood be ignored: the envelope is refused (Sender).
 */
function isTrue(v: string | undefined): boolean {
  if (v === undefined) return false;
  const word = v.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
  if (word === 'true' || word === '1') return true;
  if (word === 'false' || word === '0') return false;
  throw new XdsWireError(`env:mustUnderstand="${word.slice(0, 40)}" is not a boolean (true, false, 1, 0)`);
}

/** A limit of the XML reader as a Fault: 413 for what is too large, the limit named. */
export function limitFault(e: InputLimitError): XdsWireError {
  return new XdsWireError(e.message, { status: 413 });
}

/** XML reading problems as Faults: malformed is a Sender fault, a limit passed a 413. */
function asWireError(e: unknown): unknown {
  if (e instanceof XmlParseError) return new XdsWireError(e.message);
  if (isInputLimitError(e)) return limitFault(e);
  return e;
}

/**
 * Scans an envelope that arrived whole (an MTOM root part) for readSoapHead, in slices with the
 * event loop served between them; problems as Faults, as readSoapHead raises them.
 */
export async function scanEnvelope(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS): Promise<ScannedXml> {
  try {
    return await scanXmlTextInSlices(text, limits);
  } catch (e) {
    throw asWireError(e);
  }
}

function parsePart(xml: string): Document {
  try {
    return parseScannedXml(xml);
  } catch (e) {
    throw asWireError(e);
  }
}

/** The envelope's text without one of the root's children (the Body, or the Header). */
function without(text: string, part: RootChild | undefined): string {
  return part ? text.slice(0, part.start) + text.slice(part.end) : text;
}

/**
 * Reads a SOAP 1.2 envelope's Header under the XML limits, and no more: the whole text is
 * scanned (limits, no DTD), but only the Header becomes a tree, itself bounded by
 * `maxHeaderElements`. The Body, as large as the limits allow, is parsed by readBody() once the
 * caller is identified, so that an anonymous request never costs more than its Header.
 * Problems are XdsWireErrors, to be answered with a Fault.
 */

/**
 * The longest wsa:MessageID taken (an IRI, a few dozen characters in practice): the answer's
 * wsa:RelatesTo repeats it, so a longer one would make every answer, faults included, as long.
 */
const MAX_MESSAGE_ID_LENGTH = 2048;

/**
 * WS-Addressing 1.0 SOAP Binding §6.4.1: Action, MessageID, To and ReplyTo appear at most once; a
 * second one would leave which of them the answer follows open (InvalidAddressingHeader).
 */
function addressingOnce(name: string, seen: Set<string>): void {
  if (!['Action', 'MessageID', 'To', 'ReplyTo', 'RelatesTo', 'FaultTo', 'From'].includes(name)) return;
  if (name !== 'RelatesTo' && seen.has(name)) {
    throw new XdsWireError(`the wsa:${name} header appears more than once (WS-Addressing allows one)`, { subcode: 'wsa:InvalidAddressingHeader' });
  }
  seen.add(name);
}

function messageIdOf(h: Element): string {
  const id = textOf(h).trim();
  if (id.length > MAX_MESSAGE_ID_LENGTH) {
    throw new XdsWireError(`the wsa:MessageID is longer than ${MAX_MESSAGE_ID_LENGTH} characters`, { subcode: 'wsa:InvalidAddressingHeader' });
  }
  return id;
}

export function readSoapHead(xml: string | ScannedXml, limits: XmlLimits = DEFAULT_XML_LIMITS, maxHeaderElements = DEFAULT_SOAP_MAX_HEADER_ELEMENTS): SoapHead {
  let scanned;
  try {
    // text the body reader scanned as it arrived is not scanned again
    scanned = typeof xml === 'string' ? scanXmlText(xml, limits) : xml;
  } catch (e) {
    throw asWireError(e);
  }
  const { text, rootChildren, elements } = scanned;
  const headerPart = rootChildren.find((c) => localNameOf(c.name) === 'Header');
  const bodyPart = rootChildren.find((c) => localNameOf(c.name) === 'Body');
  if (headerPart && headerPart.elements > maxHeaderElements) {
    throw new XdsWireError(`the SOAP Header holds more elements than ${maxHeaderElements} (CARNET_SOAP_MAX_HEADER_ELEMENTS)`, { status: 413 });
  }
  // Everything but the Body becomes a tree now: elements beside the Header (after the Body, a
  // second Body, a decoy Header in another namespace) count as the Header's, or they would be
  // an anonymous DOM as large as the XML limits allow.
  if (elements - (bodyPart?.elements ?? 0) > maxHeaderElements + 1) {
    throw new XdsWireError(`the SOAP Envelope holds more elements outside its Body than ${maxHeaderElements} (CARNET_SOAP_MAX_HEADER_ELEMENTS)`, { status: 413 });
  }
  // The Security block's content (a signed assertion: most of the Header) is left out of this
  // tree: its start and end tags stay, so its name, namespace and attributes are read as before.
  // The verifier asks for the whole block only when it does not know it already (SecurityBlock).
  const span = headerPart ? securitySpan(text, headerPart) : undefined;
  const headText = without(text, bodyPart);
  // A Body no larger than a Header may be (a query, an update's few objects) is parsed with the
  // Header, in the same tree: one parse of the envelope. What is built before the sender is known
  // stays bounded (the Header's bound, once more for the Body). A larger Body, or an envelope this tree
  // cannot be made of, is parsed apart once the sender is known, as before.
  // The plain reader makes that tree of a stored query (the Body's one child, as the scan saw it,
  // an AdhocQueryRequest: the one Body a reader takes plainly), without the DOM's costs; text
  // outside its plain form, and every other Body, goes to the DOM as before.
  const smallBody = bodyPart && bodyPart.elements <= maxHeaderElements && bodyPart.end - bodyPart.start <= ONE_TREE_MAX_BODY_CHARS;
  const query = bodyPart?.children.length === 1 && localNameOf(bodyPart.children[0]!.name) === 'AdhocQueryRequest';
  const small = smallBody ? ((query ? plainTree(text, span, rootChildren.indexOf(bodyPart)) : undefined) ?? oneTree(span ? hollowed(text, span, undefined) : text, rootChildren.indexOf(bodyPart))) : undefined;
  const env = small?.env ?? parsePart(span ? hollowed(text, span, bodyPart) : headText).documentElement!;
  if (env.localName === 'Envelope' && env.namespaceURI === NS.soap11) {
    throw new XdsWireError('SOAP 1.1 is not supported; use SOAP 1.2', { faultCode: 'VersionMismatch', soap11: true });
  }
  // SOAP 1.2 Part 1 §5.4.7: a root that is not the SOAP 1.2 Envelope is a VersionMismatch
  if (env.localName !== 'Envelope' || env.namespaceURI !== NS.soap12) {
    throw new XdsWireError('the message is not a SOAP 1.2 envelope', { faultCode: 'VersionMismatch' });
  }
  // SOAP 1.2 Part 1 §5.1: an optional Header, then the Body, and no other element; the Body read
  // after identity is the one cut here, so no second Body or Header may stand beside them.
  if (!bodyPart) throw new XdsWireError('SOAP envelope without a Body');
  const others = small ? small.others : childElements(env);
  const headerEl = others[0]?.namespaceURI === NS.soap12 && others[0].localName === 'Header' ? others[0] : undefined;
  if (others.length > (headerEl ? 1 : 0) || (headerPart && headerPart.start > bodyPart.start)) {
    throw new XdsWireError('a SOAP Envelope holds an optional Header then one Body, and no other element');
  }
  const header: SoapHeader = {};
  const addressing = new Set<string>();
  let securityEl: Element | undefined;
  const notUnderstood: QualifiedName[] = [];
  if (headerEl) {
    for (const h of childElements(headerEl)) {
      const ns = h.namespaceURI ?? '';
      if (ns === NS.wsa) {
        addressingOnce(h.localName ?? '', addressing);
        if (h.localName === 'Action') header.action = textOf(h).trim();
        else if (h.localName === 'MessageID') header.messageId = messageIdOf(h);
        else if (h.localName === 'To') header.to = textOf(h).trim();
        else if (h.localName === 'ReplyTo') {
          const address = firstChild(h, NS.wsa, 'Address');
          header.replyTo = textOf(address).trim() || undefined;
        }
      } else if (ns === NS.wsse && h.localName === 'Security') {
        if (securityEl) throw new XdsWireError('more than one wsse:Security header', { subcode: 'wsse:InvalidSecurity' });
        securityEl = h;
      } else if (isTrue(h.getAttributeNS(NS.soap12, 'mustUnderstand') ?? undefined)) {
        notUnderstood.push({ namespace: ns, localName: h.localName ?? '' });
      }
    }
  }
  // Every header block not understood is named (Part 1 §5.4.8), after the whole header was read
  // so that the fault relates to the request's MessageID wherever it stands.
  if (notUnderstood.length) {
    const names = notUnderstood.map((q) => `${q.localName} (${q.namespace})`).join(', ');
    throw new XdsWireError(`header ${names} is not understood`, { faultCode: 'MustUnderstand', notUnderstood, relatesTo: header.messageId });
  }
  const bodyContent = (bodyEl: Element | undefined): Element => {
    if (!bodyEl) throw new XdsWireError('SOAP envelope without a Body');
    const content = childElements(bodyEl);
    if (content.length !== 1) throw new XdsWireError('the SOAP Body must hold exactly one element');
    return content[0]!;
  };
  const readBody = (plain = false): Element =>
    bodyContent(small && (plain || !small.plain) ? small.body : firstChild(parsePart(without(text, headerPart)).documentElement!, NS.soap12, 'Body'));
  const readBodyInSlices = async (plain = false): Promise<Element> => {
    if (small || bodyPart.elements <= BODY_SLICE_ELEMENTS) return readBody(plain);
    let doc: Document;
    try {
      doc = await parseScannedXmlInSlices(without(text, headerPart), elements - (headerPart?.elements ?? 0), limits, BODY_SLICE_ELEMENTS);
    } catch (e) {
      throw asWireError(e);
    }
    return bodyContent(firstChild(doc.documentElement!, NS.soap12, 'Body'));
  };
  let security: SecurityBlock | undefined;
  if (securityEl && span) {
    let whole: Element | undefined;
    const element = () => (whole ??= wholeSecurity(headText));
    security = { context: [span.scope, text.slice(span.start, span.end)], element };
  } else if (securityEl) {
    const element = securityEl;
    security = { element: () => element };
  }
  return { header, security, readBody, readBodyInSlices };
}

/**
 * The most elements of a Body parsed in one turn of the event loop (readBodyInSlices): ~20-40 ms
 * of the parser. A Body at the element limit (20,000) took 150-350 ms parsed whole.
 */
export const BODY_SLICE_ELEMENTS = 2000;

/** The wsse:Security element of an envelope's text without its Body, parsed whole. */
function wholeSecurity(headText: string): Element {
  const env = parsePart(headText).documentElement!;
  const headerEl = firstChild(env, NS.soap12, 'Header');
  const found = headerEl ? firstChild(headerEl, NS.wsse, 'Security') : undefined;
  // the same text gave a Security block to the hollowed tree: it cannot be missing here
  if (!found) throw new XdsWireError('the wsse:Security header cannot be read', { subcode: 'wsse:InvalidSecurity' });
  return found;
}

/** A whole SOAP 1.2 envelope, Header and Body (readers of trusted answers, tests). */
export function parseSoapEnvelope(xml: string, limits: XmlLimits = DEFAULT_XML_LIMITS, maxHeaderElements?: number): SoapRequest {
  const head = readSoapHead(xml, limits, maxHeaderElements);
  return { header: head.header, security: head.security?.element(), body: head.readBody() };
}

/** Reads the `action` either from the header or the Content-Type, and checks they agree. */
export function effectiveAction(header: SoapHeader, contentTypeAction?: string): string {
  const action = header.action ?? contentTypeAction;
  if (!action) throw new XdsWireError('no wsa:Action header', { subcode: 'wsa:MessageAddressingHeaderRequired' });
  if (header.action && contentTypeAction && header.action !== contentTypeAction) {
    throw new XdsWireError('the Content-Type action and wsa:Action differ', { subcode: 'wsa:InvalidAddressingHeader' });
  }
  return action;
}
