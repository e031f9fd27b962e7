import { useTranslation } from 'react-i18next';
import { errorText, type ErrorContext } from '../api/errors';
import { Notice } from './Notice';

/** An error of the server as a sentence; nothing when there is no error. */
export function ErrorNotice({ error, context }: { error: unknown; context?: ErrorContext }) {
  const { t } = useTranslation();
  if (!error) return null;
  return <Notice tone="error">{errorText(t, error, context)}</Notice>;
}
