// PDF documents drawn by pdf.js on canvases, in its worker (served by the page itself): no
// script of the PDF runs, nothing is inserted as HTML. Each page is an image with its text
// available as text below, for screen readers and for copying.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import * as pdfjs from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import { Loading, Notice } from '../ui/Notice';

pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;

interface Drawn {
  pages: number;
  texts: string[];
}

export default function PdfView({ bytes, title }: { bytes: Uint8Array; title: string }) {
  const { t } = useTranslation();
  const holder = useRef<HTMLDivElement>(null);
  const [drawn, setDrawn] = useState<Drawn | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let cancelled = false;
    const task = pdfjs.getDocument({ data: bytes.slice(), isEvalSupported: false, enableXfa: false, disableAutoFetch: true });
    (async () => {
      const pdf = await task.promise;
      const texts: string[] = [];
      const box = holder.current!;
      box.replaceChildren();
      for (let n = 1; n <= pdf.numPages && !cancelled; n++) {
        const page = await pdf.getPage(n);
        const width = Math.min(box.clientWidth || 800, 900);
        const viewport = page.getViewport({ scale: width / page.getViewport({ scale: 1 }).width });
        const canvas = document.createElement('canvas');
        const ratio = window.devicePixelRatio || 1;
        canvas.width = Math.floor(viewport.width * ratio);
        canvas.height = Math.floor(viewport.height * ratio);
        canvas.className = 'pdf-page';
        canvas.setAttribute('role', 'img');
        canvas.setAttribute('aria-label', t('viewer.pdfPage', { n, total: pdf.numPages, title }));
        box.appendChild(canvas);
        await page.render({ canvas, viewport, transform: ratio === 1 ? undefined : [ratio, 0, 0, ratio, 0, 0] }).promise;
        const content = await page.getTextContent();
        texts.push(content.items.map((i) => ('str' in i ? i.str : '')).join(' ').replace(/\s+/g, ' ').trim());
      }
      if (!cancelled) setDrawn({ pages: pdf.numPages, texts });
    })().catch(() => !cancelled && setFailed(true));
    return () => {
      cancelled = true;
      void task.destroy();
    };
  }, [bytes, title, t]);

  return (
    <div className="viewer-pdf">
      {failed ? <Notice tone="error">{t('viewer.pdfFailed')}</Notice> : null}
      {!drawn && !failed ? <Loading label={t('viewer.pdfLoading')} /> : null}
      <div ref={holder} className="pdf-pages" />
      {drawn ? (
        <details className="pdf-text">
          <summary>{t('viewer.pdfText')}</summary>
          {drawn.texts.map((text, i) => (
            <section key={i}>
              <h3>{t('viewer.pageN', { n: i + 1 })}</h3>
              <p>{text || t('viewer.pageNoText')}</p>
            </section>
          ))}
        </details>
      ) : null}
    </div>
  );
}
