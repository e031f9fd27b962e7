// Entity tags of answers whose body is one document's bytes (ITI-68), and the `If-None-Match`
// test of a GET (RFC 9110 §8.8.3, §13.1.2). `If-Range` is byte-ranges.ts's.

/** The strong entity tag of bytes named by their SHA-256 (hex): the same bytes, the same tag. */
export function contentEtag(sha256: string): string {
  return `"${sha256}"`;
}

// an entity tag as a list of them writes it: optionally weak, then a quoted opaque part
const ENTITY_TAG = /(W\/)?"[\x21\x23-\x7e\x80-\xff]*"/g;

/**
 * Whether `If-None-Match` names the answer's current entity tag, compared weakly (§13.1.2), or
 * is `*` (any current answer): then a GET is answered 304 Not Modified. A field with no entity
 * tag in it names nothing.
 */
export function noneMatchNames(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag);
  for (const [tag] of ifNoneMatch.matchAll(ENTITY_TAG)) if (opaque(tag) === opaque(etag)) return true;
  return false;
}
