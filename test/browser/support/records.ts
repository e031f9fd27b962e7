// Records for the browser journeys, made through the services and the doors as the support
// service and professionals would: the DMP, its internet accounts, deposits by professionals.
import type { DocSpec } from '../../support/mhd-bundle.js';
import { call, provide } from '../../support/patient-portal.js';
import { newIns, proActor } from '../../support/world.js';
import type { Stage } from './browser.js';

export const SUPPORT_AGENT = { kind: 'support' as const, agentId: 'agent-web' };

let n = 0;
export const mailbox = (who: string) => `${who}.${process.pid}.${++n}@example.org`;

export interface Account {
  login: string;
  temporaryPassword: string;
  email: string;
}

/** An internet account for a holder of the record (DMP-03), issued by the support service. */
export async function account(stage: Stage, patientKey: string, who: string, holder: { role: 'patient' } | { role: 'legal_representative'; representativeId: string } = { role: 'patient' }): Promise<Account> {
  const email = mailbox(who);
  const res = await call(stage.portal, 'POST', '/auth/accounts', { actor: SUPPORT_AGENT, body: { patientKey, email, ...holder } });
  if (res.status !== 201) throw new Error(`account refused: ${res.status} ${JSON.stringify(res.json)}`);
  return { login: res.json.login, temporaryPassword: res.json.temporaryPassword, email };
}

/** MIN-02: the representative's account on another child's record, joined to the login they hold. */
export async function joinLogin(stage: Stage, patientKey: string, representativeId: string, login: string): Promise<void> {
  const res = await call(stage.portal, 'POST', '/auth/accounts', { actor: SUPPORT_AGENT, body: { patientKey, representativeId, login } });
  if (res.status !== 201) throw new Error(`join refused: ${res.status} ${JSON.stringify(res.json)}`);
}

export async function adultRecord(stage: Stage, given: string, family: string): Promise<string> {
  const { patientKey } = await stage.portal.server.app.services.records.create(
    { actor: SUPPORT_AGENT, channel: 'test' },
    { identifiers: [newIns()], given, family, birthDate: '1980-05-17', gender: 'female', consent: { givenBy: 'patient' } },
  );
  return patientKey;
}

export async function minorRecord(stage: Stage, given: string, family: string, birthDate: string, parent: { given: string; family: string; email: string }) {
  const created = await stage.portal.server.app.services.records.create(
    { actor: SUPPORT_AGENT, channel: 'test' },
    {
      identifiers: [newIns()],
      given,
      family,
      birthDate,
      representatives: [{ relationship: 'parent', family: parent.family, given: parent.given, email: parent.email }],
      consent: { givenBy: 'legal_representative', representativeIndex: 0 },
    },
  );
  return { patientKey: created.patientKey, representativeId: created.representativeIds[0] };
}

/** The patient (or, for a minor, the legal representative) authorises a professional. */
export async function authorise(stage: Stage, patientKey: string, idNatPs: string, representativeId?: string): Promise<void> {
  const actor = representativeId ? { kind: 'legal_representative' as const, patientKey, representativeId } : { kind: 'patient' as const, patientKey };
  await stage.portal.server.app.services.consent.addGrant({ actor, channel: 'test' }, patientKey, { subjectKind: 'professional', subjectId: idNatPs, effect: 'permit' });
}

export async function deposit(stage: Stage, by: Parameters<typeof proActor>[0], patientKey: string, docs: DocSpec[]): Promise<string[]> {
  return provide(stage.portal, proActor(by), patientKey, docs);
}
