// Refused identities: a request whose caller could not be established (missing, unsigned,
// tampered, expired or untrusted VIHF) still leaves a trace row (TRACE-01), on the record it
// named when that record exists, else on the chain of rows without a record.
import type { PatientIdentifier } from '../domain/model.js';
import { findPatientKey } from '../store/record-repo.js';
import type { Channel, ServiceDeps } from './deps.js';
import { traceCall } from './guard.js';

export interface AuthenticationRefusal {
  channel: Channel;
  requestId?: string;
  /** why the identity was refused (e.g. `expired`, `unsigned`) */
  reason: string;
  /** the transaction asked for (e.g. `ITI-18`) */
  operation?: string;
  /** the patient the request claimed to be about; unverified, used only to file the row */
  patientId?: PatientIdentifier;
  /** the identity the request claimed; unverified, recorded as a claim */
  claimedId?: string;
}

export function accessRefusalService(deps: ServiceDeps) {
  return {
    async traceAuthenticationRefusal(r: AuthenticationRefusal): Promise<void> {
      const patientKey = r.patientId ? await findPatientKey(deps.db, r.patientId).catch(() => null) : null;
      const caller = { actor: { kind: 'system' as const, component: 'unauthenticated' }, channel: r.channel, requestId: r.requestId };
      await deps.db.transaction((tx) =>
        traceCall(tx, deps, caller, patientKey, 'authentication', 'denied', {
          reason: r.reason,
          details: {
            ...(r.operation ? { operation: r.operation } : {}),
            ...(r.claimedId ? { claimedId: r.claimedId } : {}),
          },
        }),
      );
    },
  };
}

export type AccessRefusalService = ReturnType<typeof accessRefusalService>;
