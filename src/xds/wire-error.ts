// A request the XDS door cannot even read (bad MIME framing, malformed SOAP, missing security):
// answered with a SOAP Fault rather than a RegistryResponse.

export type FaultCode = 'Sender' | 'Receiver' | 'VersionMismatch' | 'MustUnderstand';

export interface QualifiedName {
  namespace: string;
  localName: string;
}

export class XdsWireError extends Error {
  readonly faultCode: FaultCode;
  /** qualified subcode, e.g. `wsse:InvalidSecurity`; known prefixes: wsse, wsa */
  readonly subcode?: string;
  /** the HTTP status to answer with, when not the usual 400 (Sender) / 500 (Receiver) */
  readonly status?: number;

  /** MustUnderstand: the header blocks not understood, named in env:NotUnderstood blocks */
  readonly notUnderstood?: QualifiedName[];
  /** the request's wsa:MessageID when the fault is raised while the envelope is read */
  readonly relatesTo?: string;
  /** the request was a SOAP 1.1 envelope: the VersionMismatch is written in SOAP 1.1 */
  readonly soap11?: boolean;

  constructor(
    message: string,
    options: { faultCode?: FaultCode; subcode?: string; status?: number; notUnderstood?: QualifiedName[]; relatesTo?: string; soap11?: boolean } = {},
  ) {
    super(message);
    this.name = 'XdsWireError';
    this.faultCode = options.faultCode ?? 'Sender';
    this.subcode = options.subcode;
    this.status = options.status;
    this.notUnderstood = options.notUnderstood;
    this.relatesTo = options.relatesTo;
    this.soap11 = options.soap11;
  }

  /**
   * The HTTP status (SOAP 1.2 Part 2 §7.5.1.2): 400 for a Sender fault, 500 for the others
   * (Receiver, VersionMismatch, MustUnderstand), unless one was given.
   */
  get httpStatus(): number {
    return this.status ?? (this.faultCode === 'Sender' ? 400 : 500);
  }
}
