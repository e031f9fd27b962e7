// The forms of the identifiers a submission names. An XDS uniqueId is an OID (ITI TF-3 4.2.3.2.26:
// a document's may carry `^extension`, at most 16 characters); anything else — SQL, spaces,
// quotes — is refused at the door instead of being stored and shown back.

const OID = /^[0-2](\.(0|[1-9]\d*))+$/;
/** The extension of a document uniqueId: printable, no spaces and no `^`. */
const EXTENSION = /^[\x21-\x5d\x5f-\x7e]{1,16}$/;
/** OIDs longer than this are not in use anywhere and only cost storage. */
const MAX_OID_LENGTH = 64;

/**
 * A SubmissionSet or Folder uniqueId: an OID in practice, but the NIST test plans send names such
 * as `SubmissionSet01_uniqueid` and expect other errors first. What is refused is what no
 * identifier ever holds: spaces, quotes, semicolons, brackets, more than 128 characters.
 */
export function isPlainIdentifier(value: string): boolean {
  return /^[A-Za-z0-9._:^-]{1,128}$/.test(value);
}

export function isOid(value: string): boolean {
  return value.length <= MAX_OID_LENGTH && OID.test(value);
}

/** DocumentEntry.uniqueId: `OID` or `OID^extension`. */
export function isDocumentUniqueId(value: string): boolean {
  const caret = value.indexOf('^');
  if (caret < 0) return isOid(value);
  return isOid(value.slice(0, caret)) && EXTENSION.test(value.slice(caret + 1));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A record's key, a document's logical id: what PostgreSQL stores as uuid. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
