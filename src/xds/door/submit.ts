// ITI-41 Provide and Register and ITI-42 Register: read the submission, hand it to the record,
// answer with a RegistryResponse. Nothing is stored when the answer is a Failure (the service is
// one transaction).
import type { Resubmission } from '../../domain/submission.js';
import type { Caller, Services } from '../../services/index.js';
import type { RegistryErrorEntry } from '../error-codes.js';
import { readProvideAndRegister, readSubmitObjectsRequest } from '../ebrim/read.js';
import { writeRegistryResponse } from '../ebrim/write.js';
import type { SoapPayload } from '../mtom.js';
import { NS } from '../../xml/index.js';
import type { Element } from '../../xml/index.js';
import { XdsWireError } from '../wire-error.js';
import { errorsFor, passDatabaseOutage, problemsError } from './errors.js';
import type { FactsOf } from '../../http/request-facts.js';

/**
 * DOC-04: a document sent again with identical content is not registered a second time, as an
 * IHE registry would. The Success says so: a Warning names the entry the sender already has
 * (docs/XDS.md, "Sending a document again"). Only a caller who may read that entry gets here.
 */
function resubmissionWarning(r: Resubmission): RegistryErrorEntry {
  return {
    errorCode: 'XDSDuplicateUniqueIdInRegistry',
    codeContext: `DocumentEntry ${r.id}: uniqueId ${r.uniqueId} is already registered with the same content, as ${r.entryUuid} (version ${r.version}); no new DocumentEntry was registered for it (DOC-04)`,
    location: r.id,
    severity: 'Warning',
  };
}

export async function handleSubmission(
  tx: 'ITI-41' | 'ITI-42',
  body: Element,
  payload: SoapPayload,
  caller: Caller,
  services: Services,
  facts: FactsOf,
): Promise<string> {
  const expected = tx === 'ITI-41' ? [NS.xdsb, 'ProvideAndRegisterDocumentSetRequest'] : [NS.lcm, 'SubmitObjectsRequest'];
  if (body.namespaceURI !== expected[0] || body.localName !== expected[1]) {
    throw new XdsWireError(`the body of ${tx} must be ${expected[1]}`);
  }
  const read = tx === 'ITI-41' ? readProvideAndRegister(body, payload.attachments) : readSubmitObjectsRequest(body);
  try {
    if (read.problems.length || !read.submission) throw problemsError(read.problems);
    const result = await services.submissions.submit(caller, read.submission, { metadataOnly: tx === 'ITI-42' });
    return writeRegistryResponse(result.resubmitted.map(resubmissionWarning));
  } catch (e) {
    passDatabaseOutage(e);
    return writeRegistryResponse(errorsFor(e, tx, facts));
  }
}
