// Judging answers: the runner must fail where the toolkit fails, not only pass.
import { describe, expect, it } from '@jest/globals';
import { judgeResponse, readOutcome } from '../../../../src/conformance/xds/judge.js';
import { readResponse } from '../../../../src/conformance/xds/soap-client.js';
import { buildSoapEnvelope, buildSoapFault } from '../../../../src/xds/soap-write.js';
import { writeRegistryResponse } from '../../../../src/xds/ebrim/write.js';
import type { Step } from '../../../../src/conformance/xds/types.js';

const answer = (bodyXml: string, status = 200) =>
  readResponse(status, 'application/soap+xml', Buffer.from(buildSoapEnvelope({ action: 'urn:test', bodyXml })));
const RS = 'urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0';
const failure = (code: string, context: string, severity = 'Error') =>
  answer(
    `<rs:RegistryResponse xmlns:rs="${RS}" status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"><rs:RegistryErrorList>` +
      `<rs:RegistryError errorCode="${code}" codeContext="${context}" severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:${severity}"/>` +
      `</rs:RegistryErrorList></rs:RegistryResponse>`,
  );
const expecting = (s: Partial<Step>): Pick<Step, 'expectedStatus' | 'expectedErrorMessages' | 'expectedErrorCodes'> => ({
  expectedStatus: 'Success',
  expectedErrorMessages: [],
  expectedErrorCodes: [],
  ...s,
});

describe('judging a RegistryResponse', () => {
  it('passes a Success that was expected and fails a Failure that was not', () => {
    expect(judgeResponse(expecting({}), answer(writeRegistryResponse()))).toBeUndefined();
    const r = judgeResponse(expecting({}), failure('XDSRegistryMetadataError', 'classCode missing'));
    expect(r).toMatch(/expected Success, got Failure \(XDSRegistryMetadataError "classCode missing"\)/);
  });

  it('fails a Success when Failure was expected', () => {
    expect(judgeResponse(expecting({ expectedStatus: 'Failure' }), answer(writeRegistryResponse()))).toMatch(/expected Failure, got Success/);
  });

  it('ExpectedErrorMessage matches a substring of errorCode or codeContext of an Error', () => {
    const step = expecting({ expectedStatus: 'Failure', expectedErrorMessages: ['XDSUnknownPatientId'] });
    expect(judgeResponse(step, failure('XDSUnknownPatientId', 'no such patient'))).toBeUndefined();
    expect(judgeResponse(step, failure('XDSRegistryError', 'patient: XDSUnknownPatientId here'))).toBeUndefined();
    expect(judgeResponse(step, failure('XDSPatientIdDoesNotMatch', 'ids differ'))).toMatch(/expected an error mentioning XDSUnknownPatientId/);
  });

  it('a Warning does not satisfy ExpectedErrorMessage', () => {
    const step = expecting({ expectedStatus: 'Failure', expectedErrorMessages: ['XDSExtraMetadataNotSaved'] });
    expect(judgeResponse(step, failure('XDSExtraMetadataNotSaved', 'kept', 'Warning'))).toMatch(/expected an error mentioning/);
  });

  it('ExpectedErrorCode must equal an errorCode exactly', () => {
    const step = expecting({ expectedStatus: 'Failure', expectedErrorCodes: ['XDSRepositoryMetadataError'] });
    expect(judgeResponse(step, failure('XDSRepositoryMetadataError', 'hash'))).toBeUndefined();
    expect(judgeResponse(step, failure('XDSRepositoryMetadataErrorX', 'hash'))).toMatch(/expected errorCode XDSRepositoryMetadataError/);
    expect(judgeResponse(step, failure('XDSRegistryMetadataError', 'XDSRepositoryMetadataError in text'))).toMatch(/expected errorCode/);
  });

  it('PartialSuccess is its own status', () => {
    const partial = answer(`<rs:RegistryResponse xmlns:rs="${RS}" status="urn:ihe:iti:2007:ResponseStatusType:PartialSuccess"/>`);
    expect(readOutcome(partial.body!).status).toBe('PartialSuccess');
    expect(judgeResponse(expecting({ expectedStatus: 'PartialSuccess' }), partial)).toBeUndefined();
    expect(judgeResponse(expecting({}), partial)).toMatch(/got PartialSuccess/);
  });

  it('a SOAP Fault passes only when Fault is expected', () => {
    const fault = readResponse(500, 'application/soap+xml', Buffer.from(buildSoapFault({ code: 'Sender', subcode: 'wsse:MessageExpired', reason: 'expired' })));
    expect(fault.fault?.reason).toBe('expired');
    expect(judgeResponse(expecting({ expectedStatus: 'Fault' }), fault)).toBeUndefined();
    expect(judgeResponse(expecting({}), fault)).toMatch(/got a SOAP Fault \(env:Sender\/wsse:MessageExpired\): expired/);
    expect(judgeResponse(expecting({ expectedStatus: 'Fault' }), answer(writeRegistryResponse()))).toMatch(/expected a SOAP Fault, got status Success/);
  });

  it('an answer that is not SOAP fails whatever was expected', () => {
    const html = readResponse(404, 'text/html', Buffer.from('<html>not found</html>'));
    expect(judgeResponse(expecting({}), html)).toMatch(/HTTP 404 text\/html/);
    expect(judgeResponse(expecting({ expectedStatus: 'Failure' }), html)).toMatch(/HTTP 404/);
  });
});
