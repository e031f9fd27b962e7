// Document bytes travel as base64 in Binary.data and Attachment.data. The profiles say nothing
// about their content, and checking a megabyte string against FHIR's string rules costs time
// and trips the 1 MB string limit that does not apply to base64Binary. So the validator sees a
// short stand-in for each well-formed payload; a malformed one is left for it to report.
import type { Resource } from '@medplum/fhirtypes';

const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;
const STAND_IN = 'AA==';

function lighten(value: unknown): unknown {
  return typeof value === 'string' && value.length > STAND_IN.length && BASE64.test(value) ? STAND_IN : value;
}

// Shapes FHIR does not allow (an object where a list belongs) are left as they are, for the
// validator to report.
function withoutAttachmentData<T extends { attachment?: { data?: string } }>(items: T[] | undefined): T[] | undefined {
  if (!Array.isArray(items)) return items;
  return items.map((c) => (c?.attachment?.data === undefined ? c : { ...c, attachment: { ...c.attachment, data: lighten(c.attachment.data) as string } }));
}

/** A copy of `resource` (or of a Bundle's entries) with document payloads replaced by a stand-in. */
export function withoutPayloads<R extends Resource>(resource: R): R {
  switch (resource.resourceType) {
    case 'Binary':
      return resource.data === undefined ? resource : { ...resource, data: lighten(resource.data) as string };
    case 'DocumentReference':
      return { ...resource, content: withoutAttachmentData(resource.content) ?? resource.content } as R;
    case 'Bundle':
      return {
        ...resource,
        entry: Array.isArray(resource.entry) ? resource.entry.map((e) => (e?.resource ? { ...e, resource: withoutPayloads(e.resource) } : e)) : resource.entry,
      } as R;
    default:
      return resource;
  }
}
