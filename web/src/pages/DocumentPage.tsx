// One document: its description, its content in the viewer, download, and what the patient
// side may change: mask from professionals (MASK-01), archive (DOC-07), personal selections.
import type { Bundle, DocumentReference, List } from '@medplum/fhirtypes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Link } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { pageOf } from '../fhir/bundle';
import { documentView, fileNameOf, viewerKind } from '../fhir/documents';
import { documentIdsOf, selectionList } from '../fhir/selections';
import { CS, EXT, FLAG } from '../fhir/systems';
import { useSuspended } from '../session/maintenance';
import { useRecord } from '../session/useRecord';
import { ErrorNotice } from '../ui/ErrorNotice';
import { Field } from '../ui/Field';
import { Loading, Notice } from '../ui/Notice';
import { PageTitle } from '../ui/PageTitle';
import { useFormat } from '../ui/format';
import { DocumentContent, saveBytes } from '../viewer/DocumentContent';

type Patch = Array<{ op: 'add' | 'remove'; path: string; value?: unknown }>;

function maskPatch(dr: DocumentReference, on: boolean): Patch {
  if (on) {
    const label = { coding: [{ system: CS.visibility, code: FLAG.masked }] };
    return dr.securityLabel?.length ? [{ op: 'add', path: '/securityLabel/-', value: label }] : [{ op: 'add', path: '/securityLabel', value: [label] }];
  }
  const i = (dr.securityLabel ?? []).findIndex((l) => l.coding?.some((c) => c.code === FLAG.masked));
  return i < 0 ? [] : [{ op: 'remove', path: `/securityLabel/${i}` }];
}

function archivePatch(dr: DocumentReference, on: boolean): Patch {
  if (on) {
    const ext = { url: EXT.isArchived, valueBoolean: true };
    return dr.extension?.length ? [{ op: 'add', path: '/extension/-', value: ext }] : [{ op: 'add', path: '/extension', value: [ext] }];
  }
  const i = (dr.extension ?? []).findIndex((e) => e.url === EXT.isArchived);
  return i < 0 ? [] : [{ op: 'remove', path: `/extension/${i}` }];
}

export default function DocumentPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const f = useFormat();
  const record = useRecord();
  const navigate = useNavigate();
  const client = useQueryClient();
  const retrieveSuspended = useSuspended('document.retrieve');
  const updateSuspended = useSuspended('metadata.update');
  const [newSelection, setNewSelection] = useState('');
  const [notice, setNotice] = useState<string | null>(null);

  const dr = useQuery({ queryKey: [record.patientId, 'document', id], queryFn: () => record.get<DocumentReference>(`/DocumentReference/${id}`) });
  const doc = dr.data ? documentView(dr.data) : undefined;
  const kind = doc ? viewerKind(doc.mimeType) : 'none';
  const content = useQuery({
    queryKey: [record.patientId, 'content', id],
    enabled: !!doc && kind !== 'none' && !retrieveSuspended,
    staleTime: Infinity,
    queryFn: async () => new Uint8Array(await (await record.raw(`/fhir/Binary/${id}`, doc!.mimeType)).arrayBuffer()),
  });
  const selections = useQuery({ queryKey: [record.patientId, 'selections'], queryFn: () => record.get<Bundle>('/List?code=carnet-selection') });
  const lists = selections.data ? pageOf<List>(selections.data, 'List').items : [];

  const change = useMutation({
    mutationFn: (p: { patch: Patch; done: string }) => record.send<DocumentReference>('PATCH', `/DocumentReference/${id}`, p.patch, 'application/json-patch+json'),
    onSuccess: async (next, p) => {
      setNotice(p.done);
      await client.invalidateQueries({ queryKey: [record.patientId] });
      // a change of metadata is a new version of the document, with its own id
      if (next?.id && next.id !== id) navigate(`/documents/${next.id}`, { replace: true });
    },
  });
  const download = useMutation({
    mutationFn: async () => {
      const bytes = content.data ?? new Uint8Array(await (await record.raw(`/fhir/Binary/${id}`, doc!.mimeType)).arrayBuffer());
      saveBytes(bytes, fileNameOf(doc!));
    },
  });
  const select = useMutation({
    mutationFn: async (target: { list?: List; title?: string }) => {
      if (target.list) {
        const ids = [...new Set([...documentIdsOf(target.list), id])];
        return record.send<List>('PUT', `/List/${target.list.id}`, selectionList(record.patientId, target.list.title ?? '', ids, target.list.id));
      }
      return record.send<List>('POST', '/List', selectionList(record.patientId, target.title ?? '', [id]));
    },
    onSuccess: async (l) => {
      setNewSelection('');
      setNotice(t('selections.added', { name: l.title }));
      await client.invalidateQueries({ queryKey: [record.patientId, 'selections'] });
    },
  });

  if (dr.isPending) return <Loading label={t('common.loading')} />;
  if (!doc) return <ErrorNotice error={dr.error} context="document" />;
  const title = doc.title || t('documents.untitled');

  return (
    <div>
      <p className="breadcrumb">
        <Link href="/documents">{t('viewer.back')}</Link>
      </p>
      <PageTitle title={title}>{title}</PageTitle>
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      <div className="document-layout">
        <section className="card document-facts" aria-labelledby="facts">
          <h2 id="facts">{t('viewer.about')}</h2>
          <dl className="facts">
            <dt>{t('documents.category')}</dt>
            <dd>{t(`classes.${doc.classCode ?? 'unknown'}`, { defaultValue: t('classes.unknown') })}</dd>
            {doc.typeDisplay && doc.typeDisplay !== doc.title ? (
              <>
                <dt>{t('viewer.type')}</dt>
                <dd>{doc.typeDisplay}</dd>
              </>
            ) : null}
            <dt>{t('viewer.date')}</dt>
            <dd>{f.date(doc.date)}</dd>
            <dt>{t('viewer.stored')}</dt>
            <dd>{f.dateTime(doc.storedAt)}</dd>
            <dt>{t('documents.author')}</dt>
            <dd>{doc.own ? t('documents.byYou') : [doc.author, doc.organization].filter(Boolean).join(', ') || t('documents.unknownAuthor')}</dd>
            <dt>{t('viewer.format')}</dt>
            <dd>
              {doc.mimeType}
              {doc.size !== undefined ? ` — ${f.size(doc.size)}` : ''}
            </dd>
            <dt>{t('viewer.visibility')}</dt>
            <dd data-testid="visibility">{doc.masked ? t('viewer.maskedState') : t('viewer.visibleState')}</dd>
            <dt>{t('viewer.archiveState')}</dt>
            <dd>{doc.archived ? t('viewer.isArchived') : t('viewer.notArchived')}</dd>
          </dl>
          <div className="actions">
            <Button className="button" onPress={() => download.mutate()} isDisabled={download.isPending || !!retrieveSuspended}>
              {t('viewer.download')}
            </Button>
          </div>
          <ErrorNotice error={download.error} context="document" />
        </section>

        <section className="card document-actions" aria-labelledby="manage">
          <h2 id="manage">{t('viewer.manage')}</h2>
          {updateSuspended ? <Notice tone="warning">{t('maintenance.inPlace', { end: f.time(updateSuspended.endsAt) })}</Notice> : null}
          <h3>{t('viewer.maskTitle')}</h3>
          <p className="hint">{t('viewer.maskExplain')}</p>
          <Button
            className="button button-secondary"
            isDisabled={change.isPending || !!updateSuspended}
            onPress={() => change.mutate({ patch: maskPatch(dr.data!, !doc.masked), done: doc.masked ? t('viewer.unmasked') : t('viewer.maskedDone') })}
          >
            {doc.masked ? t('viewer.unmask') : t('viewer.mask')}
          </Button>
          <h3>{t('viewer.archiveTitle')}</h3>
          <p className="hint">{t('viewer.archiveExplain')}</p>
          <Button
            className="button button-secondary"
            isDisabled={change.isPending || !!updateSuspended}
            onPress={() => change.mutate({ patch: archivePatch(dr.data!, !doc.archived), done: doc.archived ? t('viewer.unarchived') : t('viewer.archivedDone') })}
          >
            {doc.archived ? t('viewer.unarchive') : t('viewer.archive')}
          </Button>
          <ErrorNotice error={change.error} context="document" />
          <h3>{t('selections.addTitle')}</h3>
          {lists.length ? (
            <ul className="link-list">
              {lists.map((l) => (
                <li key={l.id}>
                  <Button className="button button-small button-quiet" isDisabled={select.isPending || documentIdsOf(l).includes(id)} onPress={() => select.mutate({ list: l })}>
                    {documentIdsOf(l).includes(id) ? t('selections.alreadyIn', { name: l.title }) : t('selections.addTo', { name: l.title })}
                  </Button>
                </li>
              ))}
            </ul>
          ) : null}
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (newSelection.trim()) select.mutate({ title: newSelection.trim() });
            }}
          >
            <Field label={t('selections.newName')} value={newSelection} onChange={setNewSelection} />
            <Button type="submit" className="button button-secondary" isDisabled={select.isPending || !newSelection.trim()}>
              {t('selections.create')}
            </Button>
          </form>
          <ErrorNotice error={select.error} />
        </section>
      </div>

      <section className="card viewer" aria-labelledby="content-title">
        <h2 id="content-title">{t('viewer.content')}</h2>
        {retrieveSuspended ? <Notice tone="warning">{t('maintenance.inPlace', { end: f.time(retrieveSuspended.endsAt) })}</Notice> : null}
        <ErrorNotice error={content.error} context="document" />
        {kind === 'none' ? <DocumentContent kind="none" bytes={new Uint8Array()} mimeType={doc.mimeType} title={title} /> : null}
        {content.isPending && kind !== 'none' && !retrieveSuspended ? <Loading label={t('common.loading')} /> : null}
        {content.data ? <DocumentContent kind={kind} bytes={content.data} mimeType={doc.mimeType} title={title} /> : null}
      </section>
    </div>
  );
}
