// Who acted, as a record's row keeps it (created_by, closed_by): a short label per kind of actor,
// written by the creation and the closing alike.
import type { Caller } from './deps.js';

export function traceIdOf(caller: Caller): string {
  const a = caller.actor;
  switch (a.kind) {
    case 'professional':
      return `professional:${a.idNatPs}`;
    case 'patient':
      return 'patient';
    case 'legal_representative':
      return `legal_representative:${a.representativeId}`;
    case 'support':
      return `support:${a.agentId}`;
    case 'insurer':
      return `insurer:${a.insurerId}`;
    case 'system':
      return `system:${a.component}`;
  }
}
