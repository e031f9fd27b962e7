// What a person typed in a form, kept while the page lives: when a session runs out in the
// middle of a form, the login comes back to the same form with the same text. Forgotten at
// logout; never written to storage (it may be health information).
import { useCallback, useState } from 'react';

const drafts = new Map<string, unknown>();

export function useDraft<T>(key: string, initial: T): [T, (v: T) => void, () => void] {
  const [value, setValue] = useState<T>(() => (drafts.has(key) ? (drafts.get(key) as T) : initial));
  const update = useCallback(
    (v: T) => {
      drafts.set(key, v);
      setValue(v);
    },
    [key],
  );
  const clear = useCallback(() => {
    drafts.delete(key);
    setValue(initial);
  }, [key]);
  return [value, update, clear];
}

export function forgetDrafts(): void {
  drafts.clear();
}
