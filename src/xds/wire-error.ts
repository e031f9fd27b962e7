// A request the XDS door cannot even read (bad MIME framing, malformed SOAP, missing security):
// answered with a SOAP Fault rather than a RegistryResponse.

export type FaultCode = 'Sender' | 'Receiver' | 'VersionMismatch' | 'MustUnderstand';

export class XdsWireError extends Error {
  readonly faultCode: FaultCode;
  /** qualified subcode, e.g. `wsse:InvalidSecurity`; known prefixes: wsse, wsa */
  readonly subcode?: string;
  /** the HTTP status to answer with, when not the usual 400 (Sender) / 500 (Receiver) */
  readonly status?: number;

  constructor(message: string, options: { faultCode?: FaultCode; subcode?: string; status?: number } = {}) {
    super(message);
    this.name = 'XdsWireError';
    this.faultCode = options.faultCode ?? 'Sender';
    this.subcode = options.subcode;
    this.status = options.status;
  }
}
