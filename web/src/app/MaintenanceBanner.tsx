// DMP-06: announced and running maintenance windows, at the top of every page, like the alert
// at the top of the DMP's FAQ: when, and which function; the others go on.
import { useTranslation } from 'react-i18next';
import { isRunning, useMaintenanceWindows } from '../session/maintenance';
import { useFormat } from '../ui/format';

export function MaintenanceBanner() {
  const { t } = useTranslation();
  const windows = useMaintenanceWindows();
  const f = useFormat();
  if (!windows.length) return null;
  return (
    <section className="maintenance" aria-label={t('maintenance.label')}>
      {windows.map((w) => (
        <p key={`${w.function}-${w.startsAt}`} role={isRunning(w) ? 'alert' : undefined}>
          <strong>{isRunning(w) ? t('maintenance.running') : t('maintenance.announced')}</strong>{' '}
          {t('maintenance.window', {
            start: f.dateTime(w.startsAt),
            end: f.time(w.endsAt),
            fn: t(`maintenance.functions.${w.function}`, { defaultValue: w.function }),
          })}{' '}
          {t('maintenance.others')}
        </p>
      ))}
    </section>
  );
}
