import { Link } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { PageTitle } from '../ui/PageTitle';

export default function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <div className="narrow">
      <PageTitle title={t('notFound.title')}>{t('notFound.title')}</PageTitle>
      <p>{t('notFound.text')}</p>
      <p>
        <Link href="/">{t('notFound.home')}</Link>
      </p>
    </div>
  );
}
