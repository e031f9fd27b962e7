// ITI-41 Provide and Register and ITI-42 Register: read the submission, hand it to the record,
// answer with a RegistryResponse. Nothing is stored when the answer is a Failure (the service is
// one transaction).
import type { Caller, Services } from '../../services/index.js';
import { readProvideAndRegister, readSubmitObjectsRequest } from '../ebrim/read.js';
import { writeRegistryResponse } from '../ebrim/write.js';
import type { SoapPayload } from '../mtom.js';
import { NS } from '../../xml/index.js';
import type { Element } from '../../xml/index.js';
import { XdsWireError } from '../wire-error.js';
import { errorsFor, passDatabaseOutage, problemsError } from './errors.js';

export async function handleSubmission(
  tx: 'ITI-41' | 'ITI-42',
  body: Element,
  payload: SoapPayload,
  caller: Caller,
  services: Services,
): Promise<string> {
  const expected = tx === 'ITI-41' ? [NS.xdsb, 'ProvideAndRegisterDocumentSetRequest'] : [NS.lcm, 'SubmitObjectsRequest'];
  if (body.namespaceURI !== expected[0] || body.localName !== expected[1]) {
    throw new XdsWireError(`the body of ${tx} must be ${expected[1]}`);
  }
  const read = tx === 'ITI-41' ? readProvideAndRegister(body, payload.attachments) : readSubmitObjectsRequest(body);
  try {
    if (read.problems.length || !read.submission) throw problemsError(read.problems);
    await services.submissions.submit(caller, read.submission, { metadataOnly: tx === 'ITI-42' });
    return writeRegistryResponse();
  } catch (e) {
    passDatabaseOutage(e);
    return writeRegistryResponse(errorsFor(e, tx));
  }
}
