// The documents of an ITI-65 Bundle, taken out of its JSON on a worker thread. A Bundle carries
// its documents as base64 text: tens of megabytes that the event loop would otherwise decode,
// parse and hold as strings (a 47 MB document: about 1.5 s of one thread). The worker decodes each
// payload into bytes, moved to the event loop without a copy, and leaves a mark in its place that
// the reading (provide-bundle.ts) resolves back to those bytes.
import type { Bundle } from '@medplum/fhirtypes';

/** Marks are not base64 (`:` is not in its alphabet): a mark never passes for a payload. */
const MARK = 'carnet-payload:';
const INVALID = `${MARK}invalid`;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The bytes of a base64 payload, or undefined when it is not base64. */
export function decodeBase64(data: string): Uint8Array | undefined {
  const compact = data.replace(/\s+/g, '');
  if (!BASE64.test(compact)) return undefined;
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

export interface MarkedBundle {
  bundle: Bundle;
  /** the payloads' bytes, each named in the Bundle by its index in this list */
  payloads: Uint8Array[];
}

/**
 * A copy of `bundle` whose Binary.data and DocumentReference attachment data are marks, with the
 * bytes they stood for. A payload that is not base64 is marked as such, so that the reading
 * reports it where it stands without the text ever crossing threads.
 */
export function markPayloads(bundle: Bundle): MarkedBundle {
  const payloads: Uint8Array[] = [];
  const mark = (data: string): string => {
    const bytes = decodeBase64(data);
    if (!bytes) return INVALID;
    payloads.push(bytes);
    return `${MARK}${payloads.length - 1}`;
  };
  // a Bundle of another shape than FHIR's has nothing marked: the reading refuses it
  if (!Array.isArray(bundle.entry)) return { bundle, payloads };
  const entry = bundle.entry.map((e) => {
    const r = e?.resource;
    if (r?.resourceType === 'Binary' && typeof r.data === 'string') return { ...e, resource: { ...r, data: mark(r.data) } };
    if (r?.resourceType === 'DocumentReference' && Array.isArray(r.content) && r.content.some((c) => typeof c?.attachment?.data === 'string')) {
      const content = r.content.map((c) => (typeof c?.attachment?.data === 'string' ? { ...c, attachment: { ...c.attachment, data: mark(c.attachment.data) } } : c));
      return { ...e, resource: { ...r, content } };
    }
    return e;
  });
  return { bundle: { ...bundle, entry }, payloads };
}

/**
 * The reading's way back from a mark to its bytes: undefined for a payload that was not base64,
 * and for text that is no mark (a Bundle read on the event loop decodes its own payloads).
 */
export function payloadResolver(payloads: Uint8Array[]): (data: string) => Uint8Array | undefined | null {
  return (data) => {
    if (!data.startsWith(MARK)) return null;
    if (data === INVALID) return undefined;
    return payloads[Number(data.slice(MARK.length))];
  };
}
