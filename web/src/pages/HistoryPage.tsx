// TRACE-03 / TRACE-05: the access history, own actions and professionals' actions apart,
// filtered by author; what is new since the last login has an orange edge, a professional's
// first access is in bold, an emergency access has a red cross — as the FAQ describes. Each
// entry links to its document and names its professional; a login says, in words, the failed
// attempts before it and the last lock (those attempts are on the security log, TRACE-05).
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { Button, Link } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { pageOf, query } from '../fhir/bundle';
import { historyEntry, type HistoryEntry } from '../fhir/history';
import { useRecord } from '../session/useRecord';
import { ErrorNotice } from '../ui/ErrorNotice';
import { Loading } from '../ui/Notice';
import { PageTitle } from '../ui/PageTitle';
import { useFormat } from '../ui/format';

const PAGE = 25;

function who(t: (k: string, o?: Record<string, unknown>) => string, e: HistoryEntry): string {
  if (e.practitionerId) {
    const profession = e.profession ? t(`professions.${e.profession}`, { defaultValue: e.profession }) : '';
    return [e.actorName || t('history.professional', { id: e.practitionerId }), profession].filter(Boolean).join(', ');
  }
  return t(`history.actors.${e.actorKind ?? 'other'}`, { defaultValue: t('history.actors.other') });
}

export default function HistoryPage() {
  const { t } = useTranslation();
  const f = useFormat();
  const record = useRecord();
  const [search, setSearch] = useSearchParams();
  const side = search.get('vue') === 'moi' ? 'own' : 'professional';
  const author = search.get('auteur') ?? '';
  const offset = Number(search.get('debut') ?? 0) || 0;
  const history = useQuery({
    queryKey: [record.patientId, 'history', side, author, offset],
    queryFn: () => record.get<Bundle>(`/AuditEvent${query([['_own', side === 'own' ? 'true' : 'false'], ['agent', author ? `Practitioner/${author}` : undefined], ['_count', PAGE], ['_offset', offset || undefined]])}`),
  });
  // the authors to filter by: the professionals of the history's latest entries
  const authors = useQuery({
    queryKey: [record.patientId, 'history', 'authors'],
    enabled: side === 'professional',
    queryFn: () => record.get<Bundle>('/AuditEvent?_own=false&_count=100'),
  });
  const page = history.data ? pageOf<AuditEvent>(history.data, 'AuditEvent') : undefined;
  const entries = (page?.items ?? []).map(historyEntry);
  const people = new Map<string, string>();
  for (const e of authors.data ? pageOf<AuditEvent>(authors.data, 'AuditEvent').items.map(historyEntry) : []) if (e.practitionerId && !people.has(e.practitionerId)) people.set(e.practitionerId, who(t, e));

  const set = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(search);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setSearch(next);
  };

  return (
    <div>
      <PageTitle title={t('history.title')} intro={t('history.intro')}>
        {t('history.title')}
      </PageTitle>
      <nav className="tabs" aria-label={t('history.views')}>
        <Link href="/historique" aria-current={side === 'professional' ? 'page' : undefined}>
          {t('history.professionals')}
        </Link>
        <Link href="/historique?vue=moi" aria-current={side === 'own' ? 'page' : undefined}>
          {t('history.own')}
        </Link>
      </nav>
      <div className="legend" aria-label={t('history.legend')}>
        <span className="legend-new">{t('history.legendNew')}</span>
        <span className="legend-first">{t('history.legendFirst')}</span>
        <span className="legend-emergency">
          <span className="cross" aria-hidden="true">
            ✚
          </span>{' '}
          {t('history.legendEmergency')}
        </span>
      </div>
      {side === 'professional' ? (
        <div className="field filters-inline">
          <label className="field-label" htmlFor="history-author">
            {t('history.filterAuthor')}
          </label>
          <select id="history-author" className="input" value={author} onChange={(e) => set({ auteur: e.target.value || undefined, debut: undefined })}>
            <option value="">{t('history.allAuthors')}</option>
            {[...people].map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <ErrorNotice error={history.error} />
      {history.isPending ? <Loading label={t('common.loading')} /> : null}
      {page ? <p className="result-count" role="status">{t('history.count', { count: page.total ?? entries.length })}</p> : null}
      {entries.length ? (
        <ol className="history">
          {entries.map((e) => (
            <li key={e.id} className={['history-entry', e.isNew ? 'is-new' : '', e.firstAccess ? 'is-first' : '', e.emergency ? 'is-emergency' : ''].join(' ')}>
              <p className="history-when">{f.dateTime(e.at)}</p>
              <p className="history-what">
                {e.emergency ? (
                  <span className="cross" aria-hidden="true">
                    ✚{' '}
                  </span>
                ) : null}
                <span className="history-who">
                  {e.practitionerId ? (
                    <Link href={`/historique?auteur=${encodeURIComponent(e.practitionerId)}`} aria-label={t('history.seeAuthor', { name: who(t, e) })}>
                      {who(t, e)}
                    </Link>
                  ) : (
                    who(t, e)
                  )}
                </span>{' '}
                — {t(`history.actions.${e.action}`, { defaultValue: t('history.actions.other') })}
                {e.outcome !== 'success' ? ` (${t(`history.outcome.${e.outcome}`)})` : ''}
              </p>
              {e.failedAttemptsBefore || e.lockedUntil ? (
                <p className="history-login">
                  {[
                    e.failedAttemptsBefore ? t('history.failedBefore', { count: e.failedAttemptsBefore }) : '',
                    e.lockedUntil ? t('history.lockedUntil', { date: f.dateTime(e.lockedUntil) }) : '',
                  ]
                    .filter(Boolean)
                    .join(' ; ')}
                </p>
              ) : null}
              <p className="history-marks">
                {e.isNew ? <span className="badge badge-new">{t('history.markNew')}</span> : null}
                {e.firstAccess ? <span className="badge badge-first">{t('history.markFirst')}</span> : null}
                {e.emergency ? <span className="badge badge-emergency">{t('history.markEmergency')}</span> : null}
                {e.documentId ? (
                  <Link className="history-doc" href={`/documents/${e.documentId}`}>
                    {t('history.seeDocument')}
                  </Link>
                ) : null}
              </p>
            </li>
          ))}
        </ol>
      ) : page ? (
        <p>{t('history.none')}</p>
      ) : null}
      {page && (offset > 0 || page.nextOffset !== undefined) ? (
        <nav className="pager" aria-label={t('documents.pages')}>
          <Button className="button button-secondary" isDisabled={offset === 0} onPress={() => set({ debut: String(Math.max(0, offset - PAGE)) })}>
            {t('documents.previous')}
          </Button>
          <Button className="button button-secondary" isDisabled={page.nextOffset === undefined} onPress={() => set({ debut: String(page.nextOffset) })}>
            {t('documents.next')}
          </Button>
        </nav>
      ) : null}
    </div>
  );
}
