// PAT-06: download the record, whole or in part (chosen documents, the history, the
// authorisations), as a zip the server streams; progress shows while it arrives.
import type { Bundle, DocumentReference } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Checkbox, CheckboxGroup, Label, ProgressBar } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { pageOf } from '../../fhir/bundle';
import { documentView } from '../../fhir/documents';
import type { RecordApi } from '../../session/useRecord';
import { Choice } from '../../ui/Choice';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Notice } from '../../ui/Notice';
import { useFormat } from '../../ui/format';
import { saveBytes } from '../../viewer/DocumentContent';

const PARTS = ['documents', 'history', 'authorisations'] as const;

function Check({ value, children }: { value: string; children: string }) {
  return (
    <Checkbox className="checkbox" value={value}>
      <span className="checkbox-box" aria-hidden="true" />
      <span>{children}</span>
    </Checkbox>
  );
}

export function DownloadSection({ record }: { record: RecordApi }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [parts, setParts] = useState<string[]>([...PARTS]);
  const [which, setWhich] = useState<'all' | 'chosen'>('all');
  const [chosen, setChosen] = useState<string[]>([]);
  const [received, setReceived] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const docs = useQuery({
    queryKey: [record.patientId, 'download-docs'],
    enabled: which === 'chosen',
    queryFn: () => record.get<Bundle>(`/DocumentReference?patient=Patient/${record.patientId}&status=current&_count=100`),
  });
  const list = docs.data ? pageOf<DocumentReference>(docs.data, 'DocumentReference').items.map(documentView) : [];

  async function run() {
    setError(null);
    setDone(null);
    setReceived(0);
    try {
      const q = new URLSearchParams({ parts: parts.join(',') });
      if (parts.includes('documents') && which === 'chosen') q.set('documents', chosen.join(','));
      const res = await record.raw(`/fhir/Patient/${record.patientId}/$download?${q}`, 'application/zip');
      const reader = res.body!.getReader();
      const chunks: Uint8Array[] = [];
      let n = 0;
      for (;;) {
        const { done: end, value } = await reader.read();
        if (end) break;
        chunks.push(value);
        n += value.length;
        setReceived(n);
      }
      const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'dmp.zip';
      saveBytes(new Blob(chunks as BlobPart[]), name);
      setDone(t('record.downloaded', { name, size: f.size(n) }));
    } catch (e) {
      setError(e);
    } finally {
      setReceived(null);
    }
  }

  const invalid = parts.length === 0 || (parts.includes('documents') && which === 'chosen' && chosen.length === 0);
  return (
    <section className="card section" aria-labelledby="download">
      <h2 id="download">{t('record.downloadTitle')}</h2>
      <p className="hint">{t('record.downloadIntro')}</p>
      <CheckboxGroup className="field" value={parts} onChange={setParts}>
        <Label className="field-label">{t('record.parts')}</Label>
        {PARTS.map((p) => (
          <Check key={p} value={p}>
            {t(`record.part.${p}`)}
          </Check>
        ))}
      </CheckboxGroup>
      {parts.includes('documents') ? (
        <Choice<'all' | 'chosen'> label={t('record.whichDocuments')} value={which} onChange={setWhich} options={[['all', t('record.allDocuments')], ['chosen', t('record.chosenDocuments')]]} />
      ) : null}
      {parts.includes('documents') && which === 'chosen' ? (
        <CheckboxGroup className="field doc-choice" value={chosen} onChange={setChosen}>
          <Label className="field-label">{t('record.chooseDocuments')}</Label>
          {list.map((d) => (
            <Check key={d.id} value={d.id}>
              {`${d.title} — ${f.date(d.date)}`}
            </Check>
          ))}
        </CheckboxGroup>
      ) : null}
      {received !== null ? (
        <ProgressBar className="progress" isIndeterminate valueLabel={t('record.received', { size: f.size(received) })} aria-label={t('record.progress')}>
          {({ valueText }) => (
            <>
              <span className="progress-label">{valueText}</span>
              <span className="progress-track">
                <span className="progress-fill" />
              </span>
            </>
          )}
        </ProgressBar>
      ) : null}
      {done ? <Notice tone="success">{done}</Notice> : null}
      <ErrorNotice error={error} context="download" />
      <div className="actions">
        <Button className="button" isDisabled={invalid || received !== null} onPress={() => void run()}>
          {t('record.download')}
        </Button>
      </div>
    </section>
  );
}
