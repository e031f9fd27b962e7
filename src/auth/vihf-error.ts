// The refusals of a VIHF and the WS-Security fault each is answered with. Shared by the signature
// check, the identity reading and the XDS door that answers them.
import { CarnetError } from '../domain/errors.js';

export type VihfErrorKind = 'missing' | 'unsigned' | 'invalid_signature' | 'expired' | 'wrong_audience' | 'untrusted' | 'malformed';

/** An unacceptable or absent VIHF. code `unauthenticated`, reason = kind. */
export class VihfError extends CarnetError {
  readonly kind: VihfErrorKind;
  constructor(kind: VihfErrorKind, message: string) {
    super('unauthenticated', message, { reason: kind });
    this.name = 'VihfError';
    this.kind = kind;
  }
}

/** WS-Security fault subcode to answer each kind with (OASIS WSS 1.1 §12). */
export function vihfFaultSubcode(kind: VihfErrorKind): string {
  switch (kind) {
    case 'missing':
    case 'unsigned':
      return 'wsse:InvalidSecurity';
    case 'invalid_signature':
      return 'wsse:FailedCheck';
    case 'expired':
      return 'wsse:MessageExpired';
    case 'malformed':
      return 'wsse:InvalidSecurityToken';
    case 'wrong_audience':
    case 'untrusted':
      return 'wsse:FailedAuthentication';
  }
}
