// The document's bytes shown as what they are: a PDF on canvases, text as text, a CDA
// document as its narrative, an image as an image. Any other type is offered for download
// only. Nothing the server stores is run or inserted as HTML.
import { lazy, Suspense, useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { ViewerKind } from '../fhir/documents';
import { Loading, Notice } from '../ui/Notice';
import { CdaView } from './CdaView';

const PdfView = lazy(() => import('./PdfView'));

function ImageView({ bytes, mimeType, title }: { bytes: Uint8Array; mimeType: string; title: string }) {
  const url = useMemo(() => URL.createObjectURL(new Blob([bytes as BlobPart], { type: mimeType })), [bytes, mimeType]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return <img className="viewer-image" src={url} alt={title} />;
}

export function DocumentContent({ kind, bytes, mimeType, title }: { kind: ViewerKind; bytes: Uint8Array; mimeType: string; title: string }) {
  const { t } = useTranslation();
  const text = useMemo(() => (kind === 'text' || kind === 'cda' ? new TextDecoder('utf-8').decode(bytes) : ''), [kind, bytes]);
  switch (kind) {
    case 'text':
      return <pre className="viewer-text">{text}</pre>;
    case 'cda':
      return <CdaView xml={text} />;
    case 'image':
      return <ImageView bytes={bytes} mimeType={mimeType} title={title} />;
    case 'pdf':
      return (
        <Suspense fallback={<Loading label={t('viewer.pdfLoading')} />}>
          <PdfView bytes={bytes} title={title} />
        </Suspense>
      );
    default:
      return <Notice tone="info">{t('viewer.downloadOnly', { type: mimeType })}</Notice>;
  }
}

/** Saves bytes as a file: always as an opaque download, never opened by the browser. */
export function saveBytes(bytes: Uint8Array | Blob, fileName: string): void {
  const blob = bytes instanceof Blob ? new Blob([bytes], { type: 'application/octet-stream' }) : new Blob([bytes as BlobPart], { type: 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
