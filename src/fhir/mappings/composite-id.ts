// Ids of resources that live inside one record (a Consent, an AuditEvent). The services find
// them by record and by their own uuid, so the FHIR id carries both: the two uuids in hex
// without hyphens, 64 characters, the longest id FHIR allows. Named pseudo-resources of a record
// (its emergency settings, its médecin traitant) use the record's hex followed by a suffix.
const HEX32 = /^[0-9a-f]{32}$/;

function toHex(uuid: string): string {
  return uuid.replace(/-/g, '').toLowerCase();
}

function fromHex(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function pairId(patientKey: string, localId: string): string {
  return toHex(patientKey) + toHex(localId);
}

export function namedId(patientKey: string, name: string): string {
  return `${toHex(patientKey)}-${name}`;
}

export type ParsedId = { kind: 'pair'; patientKey: string; localId: string } | { kind: 'named'; patientKey: string; name: string };

/** The record and the local part of an id, or null when the id is not one of ours. */
export function parseRecordScopedId(id: string): ParsedId | null {
  const lower = id.toLowerCase();
  if (lower.length === 64 && HEX32.test(lower.slice(0, 32)) && HEX32.test(lower.slice(32))) {
    return { kind: 'pair', patientKey: fromHex(lower.slice(0, 32)), localId: fromHex(lower.slice(32)) };
  }
  const m = /^([0-9a-f]{32})-([a-z0-9-]+)$/.exec(lower);
  return m ? { kind: 'named', patientKey: fromHex(m[1]), name: m[2] } : null;
}
