// One document in a list: its title (a link to the viewer), category, date, author, and its
// state (masked from professionals, archived, own document).
import { Link } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { DocumentView } from '../fhir/documents';
import { useFormat } from './format';

export function DocumentItem({ doc, isNew }: { doc: DocumentView; isNew?: boolean }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <li className={`doc-item${isNew ? ' is-new' : ''}`}>
      <div className="doc-main">
        <Link className="doc-title" href={`/documents/${doc.id}`}>
          {doc.title || t('documents.untitled')}
        </Link>
        <p className="doc-meta">
          <span>{t(`classes.${doc.classCode ?? 'unknown'}`, { defaultValue: t('classes.unknown') })}</span>
          {doc.date ? <span>{f.date(doc.date)}</span> : null}
          <span>{doc.own ? t('documents.byYou') : doc.author ? t('documents.by', { name: doc.author }) : t('documents.unknownAuthor')}</span>
          {doc.organization ? <span>{doc.organization}</span> : null}
        </p>
      </div>
      <p className="doc-badges">
        {isNew ? <span className="badge badge-new">{t('documents.new')}</span> : null}
        {doc.masked ? (
          <span className="badge badge-masked">
            <span aria-hidden="true">⊘ </span>
            {t('documents.masked')}
          </span>
        ) : null}
        {doc.archived ? <span className="badge">{t('documents.archived')}</span> : null}
      </p>
    </li>
  );
}
