// PAT-02 / DOC-07: the list of documents with the patient's page size and sort, filtered by
// category, date and author; archived documents apart; personal selections.
import type { Bundle, DocumentReference, List } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Button, Form, Link } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { pageOf, query } from '../fhir/bundle';
import { documentView } from '../fhir/documents';
import { documentIdsOf } from '../fhir/selections';
import { DOCUMENT_CLASSES } from '../fhir/systems';
import { useSuspended } from '../session/maintenance';
import { useRecord } from '../session/useRecord';
import { DocumentItem } from '../ui/DocumentItem';
import { ErrorNotice } from '../ui/ErrorNotice';
import { Field } from '../ui/Field';
import { Loading, Notice } from '../ui/Notice';
import { PageTitle } from '../ui/PageTitle';
import { SelectionActions } from './SelectionActions';
import { useFormat } from '../ui/format';

export default function DocumentsPage() {
  const { t } = useTranslation();
  const record = useRecord();
  const f = useFormat();
  const [search, setSearch] = useSearchParams();
  const archived = search.get('archives') === '1';
  const selection = search.get('selection');
  const offset = Number(search.get('debut') ?? 0) || 0;
  const [category, setCategory] = useState(search.get('categorie') ?? '');
  const [from, setFrom] = useState(search.get('du') ?? '');
  const [to, setTo] = useState(search.get('au') ?? '');
  const [author, setAuthor] = useState(search.get('auteur') ?? '');
  const searchSuspended = useSuspended('document.search');
  // the form follows the address (a link, "clear the filters", the browser's back button)
  useEffect(() => {
    setCategory(search.get('categorie') ?? '');
    setFrom(search.get('du') ?? '');
    setTo(search.get('au') ?? '');
    setAuthor(search.get('auteur') ?? '');
  }, [search]);

  const filters: Array<[string, string | undefined]> = [
    ['category', search.get('categorie') ?? undefined],
    ['creation', search.get('du') ? `ge${search.get('du')}` : undefined],
    ['creation', search.get('au') ? `le${search.get('au')}` : undefined],
    ['author.family', search.get('auteur') ?? undefined],
  ];
  const list = useQuery({
    queryKey: [record.patientId, 'documents', archived, offset, ...filters.map((x) => x[1])],
    enabled: !selection,
    queryFn: () =>
      record.get<Bundle>(
        `/DocumentReference${query([['patient', `Patient/${record.patientId}`], ['status', 'current'], ['isArchived', archived ? 'true' : undefined], ...filters, ['_offset', offset || undefined], ['_total', 'accurate']])}`,
      ),
  });
  const selections = useQuery({ queryKey: [record.patientId, 'selections'], queryFn: () => record.get<Bundle>('/List?code=carnet-selection') });
  const lists = selections.data ? pageOf<List>(selections.data, 'List').items : [];
  const chosen = lists.find((l) => l.id === selection);
  const chosenDocs = useQuery({
    queryKey: [record.patientId, 'selection-docs', selection, chosen?.entry?.length],
    enabled: !!chosen,
    queryFn: () => Promise.all(documentIdsOf(chosen!).map((id) => record.get<DocumentReference>(`/DocumentReference/${id}`))),
  });

  const page = list.data ? pageOf<DocumentReference>(list.data, 'DocumentReference') : undefined;
  const docs = selection ? (chosenDocs.data ?? []).map(documentView) : (page?.items ?? []).map(documentView);
  const pageSize = page?.pageSize ?? 20;

  const apply = (ev: FormEvent) => {
    ev.preventDefault();
    const next = new URLSearchParams();
    if (archived) next.set('archives', '1');
    if (category) next.set('categorie', category);
    if (from) next.set('du', from);
    if (to) next.set('au', to);
    if (author.trim()) next.set('auteur', author.trim());
    setSearch(next);
  };
  const goto = (o: number) => {
    const next = new URLSearchParams(search);
    if (o > 0) next.set('debut', String(o));
    else next.delete('debut');
    setSearch(next);
  };
  const heading = selection ? t('documents.selectionTitle', { name: chosen?.title ?? '' }) : archived ? t('documents.archivedTitle') : t('documents.title');

  return (
    <div>
      <PageTitle title={heading}>{heading}</PageTitle>
      <nav className="tabs" aria-label={t('documents.views')}>
        <Link href="/documents" aria-current={!archived && !selection ? 'page' : undefined}>
          {t('documents.current')}
        </Link>
        <Link href="/documents?archives=1" aria-current={archived ? 'page' : undefined}>
          {t('documents.archivedTab')}
        </Link>
        <Link href="/documents/ajouter" className="button button-small">
          {t('documents.add')}
        </Link>
      </nav>
      {searchSuspended ? <Notice tone="warning">{t('maintenance.inPlace', { end: f.time(searchSuspended.endsAt) })}</Notice> : null}

      {search.get('selectionSupprimee') !== null ? <Notice tone="success">{t('selections.deleted', { name: search.get('selectionSupprimee') })}</Notice> : null}
      {selection && chosen ? <SelectionActions key={chosen.id} list={chosen} record={record} /> : null}
      {!selection ? (
        <Form className="card filters" onSubmit={apply} aria-label={t('documents.filters')}>
          <div className="field">
            <label className="field-label" htmlFor="filter-category">
              {t('documents.category')}
            </label>
            <select id="filter-category" className="input" value={category} onChange={(e) => setCategory(e.target.value)}>
              <option value="">{t('documents.allCategories')}</option>
              {DOCUMENT_CLASSES.map((c) => (
                <option key={c} value={c}>
                  {t(`classes.${c}`)}
                </option>
              ))}
            </select>
          </div>
          <Field label={t('documents.from')} type="date" value={from} onChange={setFrom} />
          <Field label={t('documents.to')} type="date" value={to} onChange={setTo} />
          <Field label={t('documents.author')} value={author} onChange={setAuthor} description={t('documents.authorHint')} />
          <div className="actions">
            <Button type="submit" className="button">
              {t('documents.apply')}
            </Button>
            <Link className="button button-quiet" href={archived ? '/documents?archives=1' : '/documents'}>
              {t('documents.reset')}
            </Link>
          </div>
        </Form>
      ) : null}

      <ErrorNotice error={list.error ?? chosenDocs.error} />
      {(list.isPending && !selection) || (selection && chosenDocs.isPending) ? <Loading label={t('common.loading')} /> : null}
      {page && !selection ? (
        <p role="status" className="result-count">
          {t('documents.count', { count: page.total ?? docs.length })}
        </p>
      ) : null}
      {docs.length ? (
        <ul className="doc-list" aria-label={heading}>
          {docs.map((d) => (
            <DocumentItem key={d.id} doc={d} />
          ))}
        </ul>
      ) : page || chosenDocs.data ? (
        <p>{t('documents.none')}</p>
      ) : null}
      {page && !selection && (offset > 0 || page.nextOffset !== undefined) ? (
        <nav className="pager" aria-label={t('documents.pages')}>
          <Button className="button button-secondary" isDisabled={offset === 0} onPress={() => goto(Math.max(0, offset - pageSize))}>
            {t('documents.previous')}
          </Button>
          <Button className="button button-secondary" isDisabled={page.nextOffset === undefined} onPress={() => goto(page.nextOffset!)}>
            {t('documents.next')}
          </Button>
        </nav>
      ) : null}

      <section className="section" aria-labelledby="selections">
        <h2 id="selections">{t('selections.title')}</h2>
        <p className="hint">{t('selections.intro')}</p>
        {lists.length ? (
          <ul className="link-list">
            {lists.map((l) => (
              <li key={l.id}>
                <Link href={`/documents?selection=${l.id}`} aria-current={l.id === selection ? 'page' : undefined}>
                  {l.title}
                </Link>{' '}
                <span className="hint">{t('selections.count', { count: documentIdsOf(l).length })}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p>{t('selections.none')}</p>
        )}
      </section>
    </div>
  );
}
