// SOAP 1.2 envelopes written by Carnet: answers (response action + RelatesTo), requests of the
// conformance runner, and Faults. Writing trusts its input and shares nothing with the guarded
// reading of soap.ts, hence its own file. A Fault carries a short reason meant for the caller,
// never an exception's internals.
import { randomUUID } from 'node:crypto';
import { NS, escapeAttr, escapeText } from '../xml/index.js';
import { XdsWireError } from './wire-error.js';
import type { FaultCode, QualifiedName } from './wire-error.js';

export const FAULT_ACTION = 'http://www.w3.org/2005/08/addressing/soap/fault';

export interface SoapResponseOptions {
  action: string;
  /** MessageID of the request */
  relatesTo?: string;
  /** the body element(s), serialised */
  bodyXml: string;
  messageId?: string;
  /** requests (the conformance runner): wsa:To */
  to?: string;
  /** requests: further header blocks, serialised (e.g. wsse:Security) */
  headersXml?: string;
}

/** A SOAP 1.2 envelope with WS-Addressing Action, MessageID and RelatesTo (responses) or To (requests). */
export function buildSoapEnvelope(opts: SoapResponseOptions): string {
  const { head, tail } = soapEnvelopeParts(opts);
  return head + opts.bodyXml + tail;
}

/** The envelope around a Body written in parts (a streamed answer): everything before it, and after. */
export function soapEnvelopeParts(opts: Omit<SoapResponseOptions, 'bodyXml'>): { head: string; tail: string } {
  const messageId = opts.messageId ?? `urn:uuid:${randomUUID()}`;
  const head =
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<env:Envelope xmlns:env="${NS.soap12}" xmlns:wsa="${NS.wsa}">` +
    `<env:Header>` +
    `<wsa:Action env:mustUnderstand="true">${escapeText(opts.action)}</wsa:Action>` +
    `<wsa:MessageID>${escapeText(messageId)}</wsa:MessageID>` +
    (opts.relatesTo ? `<wsa:RelatesTo>${escapeText(opts.relatesTo)}</wsa:RelatesTo>` : '') +
    (opts.to ? `<wsa:To env:mustUnderstand="true">${escapeText(opts.to)}</wsa:To>` : '') +
    (opts.headersXml ?? '') +
    `</env:Header>` +
    `<env:Body>`;
  return { head, tail: `</env:Body></env:Envelope>` };
}

const SUBCODE_NS: Record<string, string> = { wsse: NS.wsse, wsa: NS.wsa };

export interface SoapFaultOptions {
  code: FaultCode;
  /** qualified subcode `prefix:Local`, prefix wsse or wsa (e.g. `wsse:InvalidSecurity`) */
  subcode?: string;
  reason: string;
  relatesTo?: string;
  /** MustUnderstand: the header blocks not understood */
  notUnderstood?: QualifiedName[];
}

/** The env:Upgrade block: the one envelope version served, SOAP 1.2 (env is bound to its namespace). */
const UPGRADE_BLOCK = '<env:Upgrade><env:SupportedEnvelope qname="env:Envelope"/></env:Upgrade>';

/** The header blocks a fault carries: env:Upgrade on a VersionMismatch (Part 1 §5.4.7), env:NotUnderstood on a MustUnderstand (§5.4.8). */
function faultHeaders(opts: SoapFaultOptions): string {
  if (opts.code === 'VersionMismatch') return UPGRADE_BLOCK;
  return (opts.notUnderstood ?? []).map((q) => `<env:NotUnderstood qname="nu:${escapeAttr(q.localName)}" xmlns:nu="${escapeAttr(q.namespace)}"/>`).join('');
}

/**
 * The VersionMismatch answered to a SOAP 1.1 envelope, in SOAP 1.1 so that its sender reads it,
 * with the SOAP 1.2 Upgrade block naming the version served (SOAP 1.2 Part 1 §5.4.7, Appendix A).
 */
export function buildSoap11VersionMismatch(reason: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<soap11:Envelope xmlns:soap11="${NS.soap11}">` +
    `<soap11:Header><upg:Upgrade xmlns:upg="${NS.soap12}"><upg:SupportedEnvelope qname="upg:Envelope"/></upg:Upgrade></soap11:Header>` +
    `<soap11:Body><soap11:Fault><faultcode>soap11:VersionMismatch</faultcode><faultstring>${escapeText(reason)}</faultstring></soap11:Fault></soap11:Body>` +
    `</soap11:Envelope>`
  );
}

/** A SOAP 1.2 Fault envelope. The reason is the only free text; keep it free of internals. */
export function buildSoapFault(opts: SoapFaultOptions): string {
  let subcodeXml = '';
  let extraNs = '';
  if (opts.subcode) {
    const [prefix, local] = opts.subcode.includes(':') ? opts.subcode.split(':', 2) : ['', opts.subcode];
    const ns = prefix ? SUBCODE_NS[prefix] : undefined;
    if (ns && prefix !== 'wsa') extraNs = ` xmlns:${prefix}="${ns}"`;
    const value = ns ? `${prefix}:${local}` : `env:${local}`;
    subcodeXml = `<env:Subcode><env:Value>${escapeText(value!)}</env:Value></env:Subcode>`;
  }
  return buildSoapEnvelope({
    action: FAULT_ACTION,
    relatesTo: opts.relatesTo,
    headersXml: faultHeaders(opts),
    bodyXml:
      `<env:Fault${extraNs}>` +
      `<env:Code><env:Value>env:${opts.code}</env:Value>${subcodeXml}</env:Code>` +
      `<env:Reason><env:Text xml:lang="en">${escapeText(opts.reason)}</env:Text></env:Reason>` +
      `</env:Fault>`,
  });
}

/** A Fault for any error: wire errors keep their code and message; others become a generic Receiver fault. */
export function faultFor(error: unknown, relatesTo?: string): string {
  if (error instanceof XdsWireError) {
    if (error.soap11) return buildSoap11VersionMismatch(error.message);
    return buildSoapFault({ code: error.faultCode, subcode: error.subcode, reason: error.message, relatesTo: relatesTo ?? error.relatesTo, notUnderstood: error.notUnderstood });
  }
  return buildSoapFault({ code: 'Receiver', reason: 'internal error', relatesTo });
}
