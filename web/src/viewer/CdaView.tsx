import { createElement, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Notice } from '../ui/Notice';
import { readCda, type CdaSection, type NarrativeNode } from './cda';

function draw(nodes: NarrativeNode[]): ReactNode[] {
  return nodes.map((n, i) => (n.kind === 'text' ? n.text : createElement(n.tag, { key: i }, ...(n.tag === 'br' ? [] : draw(n.children)))));
}

function Section({ s, level }: { s: CdaSection; level: number }) {
  const H = `h${Math.min(6, level)}` as 'h3';
  return (
    <section className="cda-section">
      {s.title ? <H>{s.title}</H> : null}
      <div className="cda-text">{draw(s.narrative)}</div>
      {s.sections.map((c, i) => (
        <Section key={i} s={c} level={level + 1} />
      ))}
    </section>
  );
}

export function CdaView({ xml }: { xml: string }) {
  const { t } = useTranslation();
  const cda = readCda(xml);
  if (!cda) return <Notice tone="info">{t('viewer.notCda')}</Notice>;
  return (
    <article className="viewer-cda">
      {cda.title ? <h2>{cda.title}</h2> : null}
      {cda.sections.length ? cda.sections.map((s, i) => <Section key={i} s={s} level={3} />) : <p>{t('viewer.noNarrative')}</p>}
    </article>
  );
}
