// Dates, times and sizes in the page's language.
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';

export function useFormat() {
  const { i18n } = useTranslation();
  const lng = i18n.language === 'en' ? 'en-GB' : 'fr-FR';
  return useMemo(() => {
    const date = new Intl.DateTimeFormat(lng, { day: 'numeric', month: 'long', year: 'numeric' });
    const dateTime = new Intl.DateTimeFormat(lng, { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });
    const time = new Intl.DateTimeFormat(lng, { hour: '2-digit', minute: '2-digit' });
    const [b, kb, mb] = lng === 'en-GB' ? ['B', 'KB', 'MB'] : ['o', 'Ko', 'Mo'];
    const ok = (v?: string) => !!v && !Number.isNaN(Date.parse(v));
    return {
      date: (v?: string) => (ok(v) ? date.format(new Date(v!)) : ''),
      dateTime: (v?: string) => (ok(v) ? dateTime.format(new Date(v!)) : ''),
      time: (v?: string) => (ok(v) ? time.format(new Date(v!)) : ''),
      size: (n?: number) => (n === undefined ? '' : n < 1024 ? `${n} ${b}` : n < 1024 ** 2 ? `${(n / 1024).toFixed(0)} ${kb}` : `${(n / 1024 ** 2).toFixed(1)} ${mb}`),
    };
  }, [lng]);
}
