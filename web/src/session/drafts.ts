// What a person typed in a form, kept while the page lives: when a session runs out in the
// middle of a form, the login comes back to the same form with the same text. Forgotten at
// logout; never written to storage (it may be health information). A form of a record keys its
// draft by the record (recordDraft): a legal representative of two children switches between
// their records in one tab, and what was typed for one must never be offered on the other.
import { useCallback, useState } from 'react';

const drafts = new Map<string, unknown>();

/** The key of a draft that belongs to one record. */
export function recordDraft(patientId: string, name: string): string {
  return `${patientId}:${name}`;
}

export function useDraft<T>(key: string, initial: T): [T, (v: T) => void, () => void] {
  const stored = () => (drafts.has(key) ? (drafts.get(key) as T) : initial);
  const [held, setHeld] = useState<{ key: string; value: T }>(() => ({ key, value: stored() }));
  // another key (another record open under the same form): that key's draft, never this one's
  const value = held.key === key ? held.value : stored();
  const update = useCallback(
    (v: T) => {
      drafts.set(key, v);
      setHeld({ key, value: v });
    },
    [key],
  );
  const clear = useCallback(() => {
    drafts.delete(key);
    setHeld({ key, value: initial });
  }, [key]);
  return [value, update, clear];
}

/** Forgets every draft, or those of one record. */
export function forgetDrafts(patientId?: string): void {
  if (patientId === undefined) return drafts.clear();
  for (const key of [...drafts.keys()]) if (key.startsWith(recordDraft(patientId, ''))) drafts.delete(key);
}
