// DOC-07: a personal selection renamed (its documents kept: PUT of the same List with another
// title) or deleted (DELETE; the documents themselves stay in the record), with a confirmation
// that says so.
import type { List } from '@medplum/fhirtypes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Button, Form } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { documentIdsOf, selectionList } from '../fhir/selections';
import type { RecordApi } from '../session/useRecord';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { ErrorNotice } from '../ui/ErrorNotice';
import { Field } from '../ui/Field';
import { Notice } from '../ui/Notice';

export function SelectionActions({ list, record }: { list: List; record: RecordApi }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState('');
  const [renamed, setRenamed] = useState(false);
  const refresh = () => client.invalidateQueries({ queryKey: [record.patientId, 'selections'] });

  const rename = useMutation({
    mutationFn: (title: string) => record.send<List>('PUT', `/List/${list.id}`, selectionList(record.patientId, title, documentIdsOf(list), list.id)),
    onSuccess: async () => {
      await refresh();
      setRenaming(false);
      setRenamed(true);
    },
  });
  const remove = useMutation({
    mutationFn: () => record.send<void>('DELETE', `/List/${list.id}`),
    onSuccess: async () => {
      await refresh();
      navigate(`/documents?selectionSupprimee=${encodeURIComponent(list.title ?? '')}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) rename.mutate(name.trim());
  };

  return (
    <div className="card selection-actions">
      {renamed ? <Notice tone="success">{t('selections.renamed', { name: list.title })}</Notice> : null}
      <ErrorNotice error={rename.error ?? remove.error} />
      {renaming ? (
        <Form className="form" onSubmit={submit} aria-label={t('selections.rename')}>
          <Field label={t('selections.newTitle')} value={name} onChange={setName} isRequired autoFocus maxLength={200} />
          <div className="actions">
            <Button type="submit" className="button" isDisabled={rename.isPending || !name.trim()}>
              {t('selections.saveTitle')}
            </Button>
            <Button className="button button-quiet" onPress={() => setRenaming(false)}>
              {t('common.cancel')}
            </Button>
          </div>
        </Form>
      ) : (
        <div className="actions">
          <Button
            className="button button-secondary"
            onPress={() => {
              setName(list.title ?? '');
              setRenamed(false);
              rename.reset();
              setRenaming(true);
            }}
          >
            {t('selections.rename')}
          </Button>
          <ConfirmDialog
            trigger={t('selections.delete')}
            triggerClass="button button-quiet"
            title={t('selections.deleteTitle', { name: list.title })}
            confirmLabel={t('selections.deleteConfirm')}
            tone="danger"
            isDisabled={remove.isPending}
            onConfirm={() => remove.mutate()}
          >
            <p>{t('selections.deleteWhat')}</p>
          </ConfirmDialog>
        </div>
      )}
    </div>
  );
}
