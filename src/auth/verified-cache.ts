// A bounded memory of credentials already verified (bearer tokens, VIHF signatures), so that the
// costly part of a check (a signature: ECDSA, RSA, XML canonicalisation) runs once per credential
// rather than once per request. It is keyed by a SHA-256 of everything the verification read, and
// it remembers only successes: a refused credential is checked afresh every time. What depends on
// the moment or on the request (expiry, audience, the patient a caller is bound to) is never
// taken from here: callers check it on every request.
import { createHash } from 'node:crypto';

export interface VerifiedCache<V> {
  get(parts: readonly string[]): V | undefined;
  /** remembers `value` until `untilMs` (epoch ms), at most the cache's own longest life */
  set(parts: readonly string[], value: V, untilMs: number): void;
  readonly size: number;
}

export interface VerifiedCacheOptions {
  /** entries kept at most; the oldest goes first */
  maxEntries: number;
  /** the longest an entry is trusted (a key withdrawn from a JWKS stops counting after this) */
  maxAgeMs: number;
  now: () => number;
}

export function keyOf(parts: readonly string[]): string {
  const h = createHash('sha256');
  // Lengths first: no two different lists of parts hash the same bytes.
  for (const p of parts) h.update(`${p.length}:`).update(p);
  return h.digest('base64');
}

export function createVerifiedCache<V>(o: VerifiedCacheOptions): VerifiedCache<V> {
  const entries = new Map<string, { value: V; untilMs: number }>();
  return {
    get(parts) {
      const key = keyOf(parts);
      const e = entries.get(key);
      if (!e) return undefined;
      if (o.now() >= e.untilMs) {
        entries.delete(key);
        return undefined;
      }
      return e.value;
    },
    set(parts, value, untilMs) {
      const key = keyOf(parts);
      entries.delete(key);
      if (entries.size >= o.maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(key, { value, untilMs: Math.min(untilMs, o.now() + o.maxAgeMs) });
    },
    get size() {
      return entries.size;
    },
  };
}
