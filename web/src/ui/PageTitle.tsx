// The page's one h1 and the document title. After a navigation the focus moves to the h1 so
// that a screen reader or keyboard user starts at the top of the new page.
import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export function PageTitle({ children, title, intro }: { children: ReactNode; title: string; intro?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  const { t } = useTranslation();
  useEffect(() => {
    document.title = `${title} — ${t('app.name')}`;
  }, [title, t]);
  useEffect(() => {
    if (document.activeElement === document.body || document.activeElement?.closest('nav')) ref.current?.focus({ preventScroll: false });
  }, []);
  return (
    <div className="page-title">
      <h1 ref={ref} tabIndex={-1}>
        {children}
      </h1>
      {intro ? <p className="intro">{intro}</p> : null}
    </div>
  );
}
