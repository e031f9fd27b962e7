// The ITI-65 answer, a transaction-response Bundle: one entry per request entry, in order.
import type { Bundle } from '@medplum/fhirtypes';
import type { SubmissionResult } from '../../domain/submission.js';
import { warningOutcome } from '../outcome.js';
import { classify, findEntry } from './bundle-entries.js';
import { stripUrnUuid } from './document-reference.js';
import { listType } from './lists.js';

export interface TransactionResponseOptions {
  /** response.lastModified of every entry (default: now) */
  lastModified?: string;
}

/**
 * Each entry `201 Created` with the location of what was stored (DocumentReference/<uuid>,
 * List/<uuid>, Binary/<uuid of its document>).
 */
export function transactionResponse(request: Bundle, result: SubmissionResult, options: TransactionResponseOptions = {}): Bundle {
  const lastModified = options.lastModified ?? new Date().toISOString();
  const classified = classify(request);
  const assigned = (symbolic: string | undefined): string | undefined => {
    if (!symbolic) return undefined;
    const id = result.assignedIds[symbolic] ?? (symbolic.startsWith('urn:uuid:') ? symbolic : undefined);
    return id ? stripUrnUuid(id) : undefined;
  };
  // Binary -> the document that points at it.
  const binaryOwner = new Map<number, string | undefined>();
  const binaryDocument = new Map<number, string | undefined>();
  for (const c of classified) {
    const r = c.entry.resource;
    if (r?.resourceType !== 'DocumentReference') continue;
    const url = r.content?.[0]?.attachment?.url;
    const target = url ? findEntry(classified, url) : undefined;
    if (target) {
      binaryOwner.set(target.index, assigned(c.fullUrl));
      binaryDocument.set(target.index, c.fullUrl);
    }
  }
  // DOC-04: a document sent again with identical content was not created again; its entry says
  // so (200, the registered version, a warning) instead of claiming a creation.
  const again = new Map(result.resubmitted.map((r) => [r.id, r]));
  return {
    resourceType: 'Bundle',
    type: 'transaction-response',
    entry: classified.map((c) => {
      const r = c.entry.resource;
      const resent = again.get((r?.resourceType === 'Binary' ? binaryDocument.get(c.index) : c.fullUrl) ?? '');
      let location: string | undefined;
      switch (r?.resourceType) {
        // R4 http.html#transaction-response: the location names the version created
        case 'DocumentReference':
          location = `DocumentReference/${assigned(c.fullUrl) ?? ''}/_history/1`;
          break;
        case 'List':
          location = `List/${listType(r) === 'submissionset' ? (assigned(c.fullUrl) ?? stripUrnUuid(result.submissionSetUuid)) : (assigned(c.fullUrl) ?? '')}/_history/1`;
          break;
        case 'Binary':
          location = `Binary/${binaryOwner.get(c.index) ?? assigned(c.fullUrl) ?? ''}`;
          break;
        case 'Patient':
          // The Patient entry designates an existing record; nothing is created: 200 and the
          // record's own location (readable), not a 201 naming the Bundle's urn:uuid.
          if (result.patientKey) return { response: { status: '200 OK', location: `Patient/${result.patientKey}` } };
          location = c.fullUrl;
          break;
        default:
          location = r?.id ? `${r.resourceType}/${r.id}` : c.fullUrl;
      }
      if (resent && (r?.resourceType === 'DocumentReference' || r?.resourceType === 'Binary')) {
        // nothing was created: the location names the registered document, not a version made now
        location = location?.replace(/\/_history\/1$/, '');
        const said = `uniqueId ${resent.uniqueId} is already registered with the same content, as DocumentReference/${stripUrnUuid(resent.entryUuid)} (version ${resent.version}); nothing new was created (DOC-04)`;
        return { response: { status: '200 OK', location, etag: `W/"${resent.version}"`, outcome: warningOutcome(said) } };
      }
      return { response: { status: '201 Created', location, etag: 'W/"1"', lastModified } };
    }),
  };
}
