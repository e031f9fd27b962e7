// AUTH-01/02/03: login and password, then the one-time code sent by e-mail or SMS; a first
// login with the temporary password must choose a new password, then log in with it. After
// an expired session, the person comes back where they were, with what they had typed.
import { useState, type FormEvent } from 'react';
import { Button, Form, Link } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { changePassword, startLogin, verifyCode, type Challenge, type Verified } from '../api/auth';
import { useDraft } from '../session/drafts';
import { useSuspended } from '../session/maintenance';
import { sessionOf } from '../session/linked';
import { endOnServer, sessions, useSessions } from '../session/store';
import { ErrorNotice } from '../ui/ErrorNotice';
import { Field } from '../ui/Field';
import { Notice } from '../ui/Notice';
import { PageTitle } from '../ui/PageTitle';
import { useFormat } from '../ui/format';

type Step = { name: 'credentials' } | { name: 'code'; challenge: Challenge } | { name: 'newPassword'; verified: Verified };

/** Only a path of this page may be a place to come back to. */
function safeReturn(v: string | null): string {
  // a path of this page only: `//host` and `/\host` (a browser reads `\` as `/`) name another host
  return v && v.startsWith('/') && !/^\/[/\\]/.test(v) && !v.startsWith('/connexion') ? v : '/';
}

export function LoginPage() {
  const { t } = useTranslation();
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const state = useSessions();
  const suspended = useSuspended('patient.login');
  const f = useFormat();
  const [login, setLogin] = useDraft('login.login', '');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [step, setStep] = useState<Step>({ name: 'credentials' });
  const [error, setError] = useState<{ e: unknown; context: 'login' | 'code' | 'password' } | null>(null);
  const [mismatch, setMismatch] = useState(false);
  const [changed, setChanged] = useState(false);
  const [busy, setBusy] = useState(false);
  const expired = search.get('expire') === '1';
  const adding = search.get('ajouter') === '1' && state.sessions.length > 0;

  async function run(context: 'login' | 'code' | 'password', work: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError({ e, context });
    } finally {
      setBusy(false);
    }
  }

  const submitCredentials = (ev: FormEvent) => {
    ev.preventDefault();
    void run('login', async () => {
      const challenge = await startLogin(login.trim(), password);
      setCode('');
      setStep({ name: 'code', challenge });
    });
  };

  const submitCode = (ev: FormEvent) => {
    ev.preventDefault();
    if (step.name !== 'code') return;
    void run('code', async () => {
      const verified = await verifyCode(step.challenge.challengeId, code.trim());
      if (verified.password_change_required) {
        setStep({ name: 'newPassword', verified });
        return;
      }
      sessions.add(sessionOf(verified, login.trim()));
      setPassword('');
      navigate(adding ? '/' : safeReturn(search.get('retour') ?? state.expiredAt), { replace: true });
    });
  };

  const submitNewPassword = (ev: FormEvent) => {
    ev.preventDefault();
    if (step.name !== 'newPassword') return;
    if (newPassword !== confirm) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    void run('password', async () => {
      await changePassword(step.verified.access_token, newPassword);
      // AUTH-03: the temporary password is spent; the new one opens the next login. The
      // temporary session the change kept open is of no use any more: it ends on the server too.
      endOnServer(step.verified.access_token);
      setPassword('');
      setNewPassword('');
      setConfirm('');
      setChanged(true);
      setStep({ name: 'credentials' });
    });
  };

  const title = step.name === 'code' ? t('login.codeTitle') : step.name === 'newPassword' ? t('login.newPasswordTitle') : adding ? t('login.addTitle') : t('login.title');

  return (
    <div className="narrow">
      <PageTitle title={title} intro={step.name === 'credentials' ? t('login.intro') : undefined}>
        {title}
      </PageTitle>
      {expired && step.name === 'credentials' ? <Notice tone="warning">{t('login.expired')}</Notice> : null}
      {search.get('sortie') === '1' && step.name === 'credentials' && !changed ? <Notice tone="success">{t('login.loggedOut')}</Notice> : null}
      {changed && step.name === 'credentials' ? <Notice tone="success">{t('login.passwordChanged')}</Notice> : null}
      {suspended ? <Notice tone="warning">{t('maintenance.inPlace', { end: f.time(suspended.endsAt) })}</Notice> : null}
      {error ? <ErrorNotice error={error.e} context={error.context} /> : null}

      {step.name === 'credentials' ? (
        <Form className="card form" onSubmit={submitCredentials}>
          <Field label={t('login.login')} value={login} onChange={setLogin} name="username" autoComplete="username" isRequired autoFocus />
          <Field label={t('login.password')} value={password} onChange={setPassword} type="password" name="password" autoComplete="current-password" isRequired description={t('login.passwordHint')} />
          <div className="actions">
            <Button type="submit" className="button" isDisabled={busy || !!suspended}>
              {t('login.submit')}
            </Button>
          </div>
          <details className="help">
            <summary>{t('login.help')}</summary>
            <p>{t('login.helpTemporary')}</p>
            <p>{t('login.helpLocked')}</p>
            <p>{t('login.helpLost')}</p>
            <p>
              <Link href="/connexion/aide">{t('login.helpRequest')}</Link>
            </p>
          </details>
        </Form>
      ) : null}

      {step.name === 'code' ? (
        <Form className="card form" onSubmit={submitCode} aria-label={t('login.codeTitle')}>
          <p>{t(step.challenge.channel === 'sms' ? 'login.codeSentSms' : 'login.codeSentEmail', { to: step.challenge.sentTo, minutes: Math.round(step.challenge.expiresIn / 60) })}</p>
          <Field label={t('login.code')} value={code} onChange={setCode} name="one-time-code" autoComplete="one-time-code" inputMode="numeric" maxLength={6} isRequired autoFocus description={t('login.codeHint')} />
          <div className="actions">
            <Button type="submit" className="button" isDisabled={busy}>
              {t('login.verify')}
            </Button>
            <Button className="button button-secondary" isDisabled={busy} onPress={() => void run('login', async () => setStep({ name: 'code', challenge: await startLogin(login.trim(), password) }))}>
              {t('login.resend')}
            </Button>
            <Button className="button button-quiet" onPress={() => setStep({ name: 'credentials' })}>
              {t('common.back')}
            </Button>
          </div>
        </Form>
      ) : null}

      {step.name === 'newPassword' ? (
        <Form className="card form" onSubmit={submitNewPassword} aria-label={t('login.newPasswordTitle')}>
          <p>{t('login.newPasswordIntro')}</p>
          <Field label={t('login.newPassword')} value={newPassword} onChange={setNewPassword} type="password" name="new-password" autoComplete="new-password" isRequired autoFocus description={t('login.passwordPolicy')} />
          <Field label={t('login.confirmPassword')} value={confirm} onChange={setConfirm} type="password" name="confirm-password" autoComplete="new-password" isRequired error={mismatch ? t('login.mismatch') : undefined} />
          <div className="actions">
            <Button type="submit" className="button" isDisabled={busy}>
              {t('login.savePassword')}
            </Button>
          </div>
        </Form>
      ) : null}
      {adding ? (
        <p>
          <Link href="/">{t('login.backToOpen')}</Link>
        </p>
      ) : null}
    </div>
  );
}
