// DOC-08: the patient side adds a document of its own ("Expression libre"): a text typed here,
// or a file (PDF, text, image). It goes to the record through ITI-65 like any deposit; the
// server decides and records it.
import type { Bundle } from '@medplum/fhirtypes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Button, FileTrigger, Form, Link } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { depositBundle } from '../fhir/deposit';
import { recordDraft, useDraft } from '../session/drafts';
import { useSuspended } from '../session/maintenance';
import { useRecord } from '../session/useRecord';
import { ErrorNotice } from '../ui/ErrorNotice';
import { Field } from '../ui/Field';
import { Notice } from '../ui/Notice';
import { PageTitle } from '../ui/PageTitle';
import { useFormat } from '../ui/format';

const TYPES = ['EXPPAT_2', 'EXPPAT_1', 'EXPPAT_3'] as const;
const ACCEPTED = ['application/pdf', 'text/plain', 'image/png', 'image/jpeg'];

export default function AddDocumentPage() {
  const { t } = useTranslation();
  const f = useFormat();
  const record = useRecord();
  const navigate = useNavigate();
  const client = useQueryClient();
  const suspended = useSuspended('document.submit');
  // kept per record: a representative of two children switches between them
  const [title, setTitle] = useDraft(recordDraft(record.patientId, 'add.title'), '');
  const [type, setType] = useDraft<string>(recordDraft(record.patientId, 'add.type'), TYPES[0]);
  const [text, setText] = useDraft(recordDraft(record.patientId, 'add.text'), '');
  const [file, setFile] = useState<File | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const deposit = useMutation({
    mutationFn: async () => {
      const bytes = file ? new Uint8Array(await file.arrayBuffer()) : new TextEncoder().encode(text);
      const bundle = depositBundle({
        patientId: record.patientId,
        title: title.trim(),
        typeCode: type,
        typeDisplay: t(`add.types.${type}`),
        mimeType: file ? file.type : 'text/plain',
        bytes,
        now: new Date(),
      });
      return record.send<Bundle>('POST', '', bundle);
    },
    onSuccess: async (answer) => {
      await client.invalidateQueries({ queryKey: [record.patientId] });
      setTitle('');
      setText('');
      const created = answer.entry?.map((e) => /DocumentReference\/([^/]+)/.exec(e.response?.location ?? '')?.[1]).find(Boolean);
      navigate(created ? `/documents/${created}` : '/documents');
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!title.trim()) return setProblem(t('add.titleRequired'));
    if (!file && !text.trim()) return setProblem(t('add.contentRequired'));
    setProblem(null);
    deposit.mutate();
  };

  return (
    <div className="narrow">
      <PageTitle title={t('add.title')} intro={t('add.intro')}>
        {t('add.title')}
      </PageTitle>
      {suspended ? <Notice tone="warning">{t('maintenance.inPlace', { end: f.time(suspended.endsAt) })}</Notice> : null}
      {problem ? <Notice tone="error">{problem}</Notice> : null}
      <ErrorNotice error={deposit.error} context="deposit" />
      <Form className="card form" onSubmit={submit} aria-label={t('add.title')}>
        <Field label={t('add.name')} value={title} onChange={setTitle} isRequired maxLength={200} />
        <div className="field">
          <label className="field-label" htmlFor="add-type">
            {t('add.type')}
          </label>
          <select id="add-type" className="input" value={type} onChange={(e) => setType(e.target.value)}>
            {TYPES.map((c) => (
              <option key={c} value={c}>
                {t(`add.types.${c}`)}
              </option>
            ))}
          </select>
        </div>
        <Field label={t('add.text')} value={text} onChange={setText} multiline isDisabled={!!file} description={t('add.textHint')} />
        <div className="field">
          <p className="field-label" id="add-file-label">
            {t('add.file')}
          </p>
          <p className="field-hint">{t('add.fileHint')}</p>
          <div className="actions">
            <FileTrigger acceptedFileTypes={ACCEPTED} onSelect={(list) => setFile(list?.[0] ?? null)}>
              <Button className="button button-secondary" aria-describedby="add-file-label">
                {t('add.chooseFile')}
              </Button>
            </FileTrigger>
            {file ? (
              <>
                <span data-testid="chosen-file">
                  {file.name} ({f.size(file.size)})
                </span>
                <Button className="button button-quiet button-small" onPress={() => setFile(null)}>
                  {t('add.removeFile')}
                </Button>
              </>
            ) : null}
          </div>
        </div>
        <div className="actions">
          <Button type="submit" className="button" isDisabled={deposit.isPending || !!suspended}>
            {deposit.isPending ? t('add.sending') : t('add.submit')}
          </Button>
          <Link className="button button-quiet" href="/documents">
            {t('common.cancel')}
          </Link>
        </div>
      </Form>
    </div>
  );
}
