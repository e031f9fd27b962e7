// PAT-01: the home of the record: the five latest documents, the count of current documents,
// the documents by category, and what is new since the last visit (the history's marks).
import type { AuditEvent, Bundle, DocumentReference, Parameters } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { params, part, pageOf } from '../fhir/bundle';
import { documentView } from '../fhir/documents';
import { historyEntry } from '../fhir/history';
import { useRecord } from '../session/useRecord';
import { DocumentItem } from '../ui/DocumentItem';
import { ErrorNotice } from '../ui/ErrorNotice';
import { Loading } from '../ui/Notice';
import { PageTitle } from '../ui/PageTitle';

/** How far back "new since the last visit" is counted on the home (the history has them all). */
const NEW_WINDOW = 100;

export default function HomePage() {
  const { t } = useTranslation();
  const record = useRecord();
  const home = useQuery({ queryKey: [record.patientId, 'home'], queryFn: () => record.get<Parameters>(`/Patient/${record.patientId}/$home`) });
  const recent = useQuery({
    queryKey: [record.patientId, 'history', 'home'],
    queryFn: () => record.get<Bundle>(`/AuditEvent?_own=false&_count=${NEW_WINDOW}`),
  });
  const entries = recent.data ? pageOf<AuditEvent>(recent.data, 'AuditEvent').items.map(historyEntry) : [];
  const fresh = entries.filter((e) => e.isNew && e.outcome === 'success');
  const newDocs = new Set(fresh.filter((e) => e.action === 'document.submit' && e.documentId).map((e) => e.documentId!));
  const p = home.data;
  const latest = p ? params(p, 'latest').map((x) => documentView(x.resource as DocumentReference)) : [];
  const categories = p
    ? params(p, 'category').map((c) => ({ code: part(c, 'code')?.valueCoding?.code ?? '', current: part(c, 'current')?.valueInteger ?? 0, archived: part(c, 'archived')?.valueInteger ?? 0 }))
    : [];
  const count = (name: string) => (p ? (params(p, name)[0]?.valueInteger ?? 0) : 0);

  return (
    <div>
      <PageTitle title={t('home.title')}>{t('home.title')}</PageTitle>
      <ErrorNotice error={home.error} />
      {home.isPending ? <Loading label={t('common.loading')} /> : null}
      {p ? (
        <div className="grid">
          <section className="card" aria-labelledby="home-count">
            <h2 id="home-count">{t('home.current')}</h2>
            <p className="big-number" data-testid="current-count">
              {count('currentCount')}
            </p>
            <p>{t('home.archived', { count: count('archivedCount') })}</p>
            <Link className="button button-secondary" href="/documents">
              {t('home.allDocuments')}
            </Link>
          </section>
          <section className="card" aria-labelledby="home-new">
            <h2 id="home-new">{t('home.newTitle')}</h2>
            {recent.isPending ? <Loading label={t('common.loading')} /> : null}
            {recent.data ? (
              fresh.length ? (
                <p data-testid="new-count">{t('home.newActions', { count: fresh.length, more: fresh.length >= NEW_WINDOW ? '+' : '' })}</p>
              ) : (
                <p data-testid="new-count">{t('home.nothingNew')}</p>
              )
            ) : null}
            {newDocs.size ? <p>{t('home.newDocuments', { count: newDocs.size })}</p> : null}
            <Link className="button button-secondary" href="/historique">
              {t('home.seeHistory')}
            </Link>
          </section>
        </div>
      ) : null}
      {p ? (
        <section aria-labelledby="home-latest" className="section">
          <h2 id="home-latest">{t('home.latest')}</h2>
          {latest.length ? (
            <ul className="doc-list">
              {latest.map((d) => (
                <DocumentItem key={d.id} doc={d} isNew={newDocs.has(d.id)} />
              ))}
            </ul>
          ) : (
            <p>{t('home.noDocument')}</p>
          )}
        </section>
      ) : null}
      {categories.length ? (
        <section aria-labelledby="home-categories" className="section">
          <h2 id="home-categories">{t('home.categories')}</h2>
          <ul className="category-list">
            {categories.map((c) => (
              <li key={c.code}>
                <Link href={`/documents?categorie=${encodeURIComponent(c.code)}`}>
                  <span className="category-name">{t(`classes.${c.code}`, { defaultValue: t('classes.unknown') })}</span>
                  <span className="category-count">{t('home.categoryCount', { count: c.current })}</span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
