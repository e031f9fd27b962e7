// Managing the record itself: download it (PAT-06), ask for a formal copy (PAT-07), close it
// or reactivate it (DMP-05), each with a confirmation that says what happens.
import type { Patient } from '@medplum/fhirtypes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EXT } from '../fhir/systems';
import { useRecord } from '../session/useRecord';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { ErrorNotice } from '../ui/ErrorNotice';
import { Field } from '../ui/Field';
import { Notice } from '../ui/Notice';
import { PageTitle } from '../ui/PageTitle';
import { useFormat } from '../ui/format';
import { CopyRequestSection } from './record/CopyRequestSection';
import { DownloadSection } from './record/DownloadSection';

export default function RecordPage() {
  const { t } = useTranslation();
  const f = useFormat();
  const record = useRecord();
  const client = useQueryClient();
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const patient = useQuery({ queryKey: [record.patientId, 'patient'], queryFn: () => record.get<Patient>(`/Patient/${record.patientId}`) });
  const closed = patient.data?.active === false;
  const closedOn = patient.data?.extension?.find((e) => e.url === EXT.closure)?.extension?.find((e) => e.url === 'dateFermeture')?.valueDateTime;
  const change = useMutation({
    mutationFn: (op: '$close' | '$reactivate') =>
      record.send('POST', `/Patient/${record.patientId}/${op}`, op === '$close' && reason.trim() ? { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: reason.trim() }] } : undefined),
    onSuccess: async (_r, op) => {
      setDone(op === '$close' ? t('record.closedDone') : t('record.reactivatedDone'));
      setReason('');
      await client.invalidateQueries({ queryKey: [record.patientId] });
    },
  });

  return (
    <div>
      <PageTitle title={t('record.title')}>{t('record.title')}</PageTitle>
      {done ? <Notice tone="success">{done}</Notice> : null}
      <DownloadSection record={record} />
      <CopyRequestSection record={record} />
      <section className="card section danger-zone" aria-labelledby="close">
        <h2 id="close">{closed ? t('record.reactivateTitle') : t('record.closeTitle')}</h2>
        <ErrorNotice error={change.error} context="record" />
        {closed ? (
          <>
            <p data-testid="record-state">{closedOn ? t('record.closedSince', { date: f.date(closedOn) }) : t('record.isClosed')}</p>
            <p>{t('record.reactivateExplain')}</p>
            <ConfirmDialog trigger={t('record.reactivate')} triggerClass="button" title={t('record.reactivateConfirm')} confirmLabel={t('record.reactivate')} isDisabled={change.isPending} onConfirm={() => change.mutate('$reactivate')}>
              <p>{t('record.reactivateExplain')}</p>
            </ConfirmDialog>
          </>
        ) : (
          <>
            <p>{t('record.closeExplain')}</p>
            <Field label={t('record.closeReason')} value={reason} onChange={setReason} description={t('record.closeReasonHint')} maxLength={500} />
            <ConfirmDialog trigger={t('record.close')} triggerClass="button button-danger" title={t('record.closeConfirm')} confirmLabel={t('record.closeYes')} tone="danger" isDisabled={change.isPending} onConfirm={() => change.mutate('$close')}>
              <p>{t('record.closeWhat1')}</p>
              <p>{t('record.closeWhat2')}</p>
              <p>{t('record.closeWhat3')}</p>
            </ConfirmDialog>
          </>
        )}
      </section>
    </div>
  );
}
