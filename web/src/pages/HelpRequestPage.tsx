// AUTH-04: lost credentials, or an account asked for, without being logged in. The request goes
// to the support service (POST /auth/support/requests), which checks the identity out of band,
// then issues the login and a new temporary password. The server answers the same whatever the
// details, so the page says nothing about who has a record.
import { useState, type FormEvent } from 'react';
import { Button, Form, Link } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { sendSupportRequest, type SupportRequest } from '../api/auth';
import { Choice } from '../ui/Choice';
import { ErrorNotice } from '../ui/ErrorNotice';
import { Field } from '../ui/Field';
import { Notice } from '../ui/Notice';
import { PageTitle } from '../ui/PageTitle';

type Kind = 'credentials' | 'account';
type Role = 'patient' | 'legal_representative';

/** The request as the server reads it: only what was typed, trimmed. */
export function supportRequestOf(f: { kind: Kind; role: Role; family: string; given: string; birthDate: string; email: string; phone: string; loginHint: string; message: string }): SupportRequest {
  const out: SupportRequest = { kind: f.kind, role: f.role, family: f.family.trim() };
  for (const k of ['given', 'birthDate', 'email', 'phone', 'loginHint', 'message'] as const) {
    const v = f[k].trim();
    if (v) out[k] = v;
  }
  return out;
}

export default function HelpRequestPage() {
  const { t } = useTranslation();
  const [kind, setKind] = useState<Kind>('credentials');
  const [role, setRole] = useState<Role>('patient');
  const [family, setFamily] = useState('');
  const [given, setGiven] = useState('');
  const [birthDate, setBirthDate] = useState('');
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [loginHint, setLoginHint] = useState('');
  const [message, setMessage] = useState('');
  const [noContact, setNoContact] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<string | null>(null);

  // the missing-contact sentence marks the e-mail field invalid, which holds the form back
  // until a contact is typed
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // an answer needs somewhere to go
    if (!email.trim() && !phone.trim()) {
      setNoContact(true);
      return;
    }
    setNoContact(false);
    setBusy(true);
    setError(null);
    try {
      const answer = await sendSupportRequest(supportRequestOf({ kind, role, family, given, birthDate, email, phone, loginHint, message }));
      setSent(answer.requestId);
    } catch (x) {
      setError(x);
    } finally {
      setBusy(false);
    }
  };

  const title = t('help.title');
  if (sent) {
    return (
      <div className="narrow">
        <PageTitle title={title}>{title}</PageTitle>
        <Notice tone="success" title={t('help.sent', { reference: sent.slice(0, 8) })}>
          <p>{t(kind === 'credentials' ? 'help.nextCredentials' : 'help.nextAccount')}</p>
        </Notice>
        <p>
          <Link href="/connexion">{t('help.backToLogin')}</Link>
        </p>
      </div>
    );
  }
  return (
    <div className="narrow">
      <PageTitle title={title} intro={t('help.intro')}>
        {title}
      </PageTitle>
      <ErrorNotice error={error} context="contact" />
      <Form className="card form" onSubmit={(e) => void submit(e)} aria-label={title}>
        <Choice<Kind> label={t('help.kind')} value={kind} onChange={setKind} options={[['credentials', t('help.kindCredentials')], ['account', t('help.kindAccount')]]} />
        <Choice<Role> label={t('help.role')} value={role} onChange={setRole} options={[['patient', t('help.rolePatient')], ['legal_representative', t('help.roleRepresentative')]]} />
        <p className="hint">{t(role === 'patient' ? 'help.identityPatient' : 'help.identityChild')}</p>
        <Field label={t('help.family')} value={family} onChange={setFamily} isRequired autoComplete="off" maxLength={100} />
        <Field label={t('help.given')} value={given} onChange={setGiven} autoComplete="off" maxLength={100} />
        <Field label={t('help.birthDate')} type="date" value={birthDate} onChange={setBirthDate} />
        <Field label={t('settings.email')} type="email" value={email} onChange={(x) => {
            setEmail(x);
            setNoContact(false);
          }} autoComplete="email" description={t('help.contactHint')} error={noContact ? t('help.contactNeeded') : undefined} />
        <Field label={t('settings.phone')} type="tel" value={phone} onChange={(x) => {
            setPhone(x);
            setNoContact(false);
          }} autoComplete="tel" description={t('settings.phoneHint')} />
        {kind === 'credentials' ? <Field label={t('help.loginHint')} value={loginHint} onChange={setLoginHint} autoComplete="username" maxLength={200} /> : null}
        <Field label={t('help.message')} value={message} onChange={setMessage} multiline maxLength={2000} />
        <div className="actions">
          <Button type="submit" className="button" isDisabled={busy || !family.trim()}>
            {t('help.send')}
          </Button>
          <Link className="button button-quiet" href="/connexion">
            {t('help.backToLogin')}
          </Link>
        </div>
      </Form>
    </div>
  );
}
