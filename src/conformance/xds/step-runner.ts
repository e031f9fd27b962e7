// Running one TestStep: fill its values, prepare what it sends, send it, judge the answer, then
// keep what later steps may use (assigned ids, reports, documents sent, the patient).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PatientIdentifier } from '../../domain/model.js';
import { parseCx } from '../../domain/hl7v2.js';
import { XDS_ACTIONS } from '../../xds/soap.js';
import { NS, attr, descendants, escapeAttr, parseXml, TRUSTED_XML_LIMITS, serializeXml, textOf } from '../../xml/index.js';
import type { Attachment } from '../../xds/mtom.js';
import { checkContents } from './contents.js';
import { deviationKey, judgeDeviation } from './deviations.js';
import type { SectionState, TestState } from './context.js';
import { judgeResponse, readOutcome } from './judge.js';
import { substitute, substituteXml, unresolved, type Variables } from './placeholders.js';
import { prepareSubmission, queryPatientId, type PreparedSubmission } from './prepare.js';
import { checkRetrieved, retrievedDocuments } from './retrieve-check.js';
import { FEED_TESTS, type SentDocument } from './session.js';
import { newContentId, sendXds, type XdsResponse } from './soap-client.js';
import type { Step, TransactionKind, Verdict } from './types.js';
import { addDefaults, MissingValue, resolveVariables } from './variables.js';
import { xpathString, xpathTrue, sectionLog } from './xpath-eval.js';

export interface StepOutcome {
  result: Verdict;
  reason?: string;
  status?: string;
  /** a declared deviation: what it ends */
  stops?: 'test' | 'section';
}

const pass = (status?: string): StepOutcome => ({ result: 'pass', status });
const fail = (reason: string, status?: string): StepOutcome => ({ result: 'fail', reason, status });

const ACTION: Partial<Record<TransactionKind, string>> = {
  ProvideAndRegister: XDS_ACTIONS['ITI-41'],
  Register: XDS_ACTIONS['ITI-42'],
  StoredQuery: XDS_ACTIONS['ITI-18'],
  Retrieve: XDS_ACTIONS['ITI-43'],
  Mu: XDS_ACTIONS['ITI-57'],
};

function stripDeclaration(xml: string): string {
  return xml.replace(/^\s*<\?xml[^?]*\?>/, '');
}

function patientOf(cx: string | undefined): PatientIdentifier | undefined {
  return cx ? parseCx(cx) : undefined;
}

function evaluateAsserts(step: Step, vars: Variables, sec: SectionState): string | undefined {
  if (!step.asserts.length) return undefined;
  const log = sectionLog(sec.log);
  for (const a of step.asserts) {
    const expr = substitute(a.xpath, vars);
    try {
      if (!xpathTrue(expr, log)) return `assertion ${a.id} is false: ${expr.replace(/\s+/g, ' ').slice(0, 200)}`;
    } catch (e) {
      return `assertion ${a.id} cannot be evaluated: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  return undefined;
}

interface Built {
  url: string;
  bodyXml: string;
  /** what the log shows as InputMetadata */
  input: string;
  attachments: Attachment[];
  patient?: string;
  prepared?: PreparedSubmission;
  sent: Map<string, SentDocument>;
}

/** Builds the request of a submission step (ITI-41, ITI-42, ITI-57). */
async function buildSubmission(step: Step, text: string, state: TestState, sec: SectionState, vars: Variables): Promise<Built> {
  const { ctx } = state;
  // A `$patientid$` another step reported (e.g. the 15818 feed for 12346) is the patient to use,
  // and stays the test's patient: the toolkit's session has one patient, which the feed sent, so
  // later sections without a UseReport (12346/doc_w_fol) submit for it too.
  const reported = vars.get('$patientid$');
  if (reported && !step.altPatientId && state.patient === undefined) state.patient = reported;
  const patientId = step.altPatientId
    ? ctx.session.unknownPatient()
    : step.noPatientId
      ? undefined
      : (vars.get('$patientid$') ?? (await state.currentPatient()));
  const prepared = prepareSubmission(text, {
    patientId,
    noAssignUids: step.noAssignUids,
    assignUuids: step.assignUuids,
    noConvert: step.noConvert,
    sourceId: ctx.sourceId,
    newUid: () => ctx.session.newUid(),
    idPrefix: `ID_${step.id}`,
  });
  // The affinity domain's codes in place of the toolkit's (affinity-codes.ts).
  if (ctx.codes) prepared.xml = ctx.codes.mapSubmission(prepared.xml);
  const sor = stripDeclaration(prepared.xml);
  const sent = new Map<string, SentDocument>();
  if (step.kind !== 'ProvideAndRegister') {
    return { url: ctx.endpoints.registry, bodyXml: sor, input: sor, attachments: [], patient: prepared.patientId, prepared, sent };
  }
  const doc = parseXml(prepared.xml, TRUSTED_XML_LIMITS);
  const attachments: Attachment[] = [];
  let documents = '';
  for (const d of step.documents) {
    const file = join(sec.section.dir, d.file);
    if (!existsSync(file)) throw new MissingValue(`document file ${d.file} not found`);
    const bytes = readFileSync(file);
    const id = prepared.assignedUuids.get(d.id) ?? d.id;
    const eo = descendants(doc, NS.rim, 'ExtrinsicObject').find((e) => attr(e, 'id') === id);
    const mimeType = (eo && attr(eo, 'mimeType')) || 'application/octet-stream';
    const contentId = newContentId();
    attachments.push({ contentId, contentType: mimeType, body: bytes });
    documents += `<xdsb:Document id="${escapeAttr(id)}"><xop:Include xmlns:xop="${NS.xop}" href="cid:${contentId}"/></xdsb:Document>`;
    const uid = prepared.assignedUids.get(d.id);
    if (uid) sent.set(uid, { bytes, mimeType });
  }
  const bodyXml = `<xdsb:ProvideAndRegisterDocumentSetRequest xmlns:xdsb="${NS.xdsb}">${sor}${documents}</xdsb:ProvideAndRegisterDocumentSetRequest>`;
  return { url: ctx.endpoints.repository, bodyXml, input: sor, attachments, patient: prepared.patientId, prepared, sent };
}

function keepAssigned(step: Step, state: TestState, sec: SectionState, prepared: PreparedSubmission): void {
  const { session } = state.ctx;
  const [t, s] = [state.test.name, sec.section.name];
  for (const [id, uid] of prepared.assignedUids) {
    session.setAssigned(t, s, step.id, 'AssignedUids', id, uid);
    session.setReport(t, s, step.id, `${id}_uid`, uid);
  }
  for (const [id, uuid] of prepared.assignedUuids) {
    session.setAssigned(t, s, step.id, 'AssignedUuids', id, uuid);
    session.setReport(t, s, step.id, `${id}_uuid`, uuid);
  }
}

function expectedRetrievals(step: Step, vars: Variables, text: string, state: TestState, sec: SectionState): Map<string, SentDocument | undefined> {
  const out = new Map<string, SentDocument | undefined>();
  const { sentDocuments } = state.ctx.session;
  if (step.referenceDocuments.length) {
    for (const r of step.referenceDocuments) {
      const uid = substitute(r.uid, vars);
      let sent = sentDocuments.get(uid);
      if (!sent) {
        // Not sent by this run: the testkit's file, when it exists, is the reference.
        const file = [join(sec.section.dir, r.file), join(state.test.dir, r.file)].find((f) => existsSync(f));
        if (file) sent = { bytes: readFileSync(file), mimeType: '' };
      }
      out.set(uid, sent);
    }
    return out;
  }
  for (const el of descendants(parseXml(text, TRUSTED_XML_LIMITS), NS.xdsb, 'DocumentUniqueId')) {
    const uid = textOf(el).trim();
    out.set(uid, sentDocuments.get(uid));
  }
  return out;
}

/**
 * A report's XPath is read in the section it names; the toolkit evaluates it against a copy of the
 * whole step log, so an absolute path (`//…`) also reaches the other section: 15816 reports the
 * ExtrinsicObject id of an ITI-42 from `Result`, which is a RegistryResponse, and the toolkit finds
 * it in the InputMetadata logged before it.
 */
function keepReports(step: Step, state: TestState, sec: SectionState, input: string, result: string | undefined): string | undefined {
  for (const r of step.reports) {
    const section = r.section === 'InputMetadata' ? input : result;
    if (!section) return `report ${r.name}: no ${r.section} to read`;
    const source = r.xpath.trim().startsWith('/') ? sectionLog([{ id: step.id, element: step.element, input, result }]) : section;
    let value: string | undefined;
    try {
      value = xpathString(r.xpath, source);
    } catch (e) {
      return `report ${r.name}: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (value === undefined) return `report ${r.name}: nothing found at ${r.xpath.replace(/\s+/g, ' ')}`;
    state.ctx.session.setReport(state.test.name, sec.section.name, step.id, r.name, value);
  }
  return undefined;
}

async function runTransaction(step: Step, state: TestState, sec: SectionState, vars: Variables, referred: string[]): Promise<StepOutcome> {
  const { ctx } = state;
  if (!step.metadataFile) return fail(`${step.element} has no MetadataFile`);
  const file = join(sec.section.dir, step.metadataFile);
  if (!existsSync(file)) return fail(`metadata file ${step.metadataFile} not found`);
  let text = readFileSync(file, 'utf8');
  await addDefaults(text, vars, state);
  text = substituteXml(text, vars);

  let built: Built;
  if (step.kind === 'ProvideAndRegister' || step.kind === 'Register' || step.kind === 'Mu') {
    built = await buildSubmission(step, text, state, sec, vars);
  } else {
    let body = stripDeclaration(text).trim();
    if (step.kind === 'StoredQuery' && ctx.codes) body = stripDeclaration(ctx.codes.mapQuery(body)).trim();
    const patient = step.kind === 'StoredQuery' ? (queryPatientId(body) ?? referred[0] ?? state.patient) : (referred[0] ?? state.patient);
    const url = step.kind === 'Retrieve' ? ctx.endpoints.repository : ctx.endpoints.registry;
    built = { url, bodyXml: body, input: body, attachments: [], patient, sent: new Map() };
  }
  // Checked after the toolkit's processing: a fresh uniqueId may replace a placeholder (15800b).
  const left = unresolved(built.bodyXml);
  if (left.length) return fail(`unresolved ${left.join(', ')} in ${step.metadataFile}`);
  const [t, s] = [state.test.name, sec.section.name];
  if (built.patient) ctx.session.setStepPatient(t, s, step.id, built.patient);
  if (built.prepared) keepAssigned(step, state, sec, built.prepared);
  for (const [uid, d] of built.sent) ctx.session.sentDocuments.set(uid, d);

  let res: XdsResponse;
  try {
    res = await sendXds({
      url: built.url,
      action: ACTION[step.kind]!,
      bodyXml: built.bodyXml,
      attachments: built.attachments,
      securityXml: ctx.assertions.securityFor(patientOf(built.patient)),
    });
  } catch (e) {
    sec.log.push({ id: step.id, element: step.element, input: built.input });
    return fail(`request to ${built.url} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (res.body && ctx.codes) ctx.codes.restoreAnswer(res.body);
  const result = res.body ? serializeXml(res.body) : undefined;
  sec.log.push({ id: step.id, element: step.element, input: built.input, result });
  const status = res.fault ? 'Fault' : res.body ? readOutcome(res.body).status : undefined;

  const deviation = ctx.deviations?.get(deviationKey(t, s, step.id));
  if (deviation) {
    const differs = judgeDeviation(deviation, res);
    return differs ? fail(differs, status) : { result: 'deviation', reason: `${deviation.rule}: ${deviation.reason}`, status, stops: deviation.stops ?? 'test' };
  }
  const judged = judgeResponse(step, res);
  if (judged) return fail(judged, status);
  if (step.expectedContents && res.body && step.kind === 'StoredQuery') {
    const c = checkContents(res.body, step.expectedContents);
    if (c) return fail(`ExpectedContents: ${c}`, status);
  }
  if (step.kind === 'Retrieve' && res.body && (status === 'Success' || status === 'PartialSuccess')) {
    const r = checkRetrieved(retrievedDocuments(res.body, res.attachments), expectedRetrievals(step, vars, text, state, sec));
    if (r) return fail(r, status);
  }
  const reported = keepReports(step, state, sec, built.input, result);
  if (reported) return fail(reported, status);
  const asserted = evaluateAsserts(step, vars, sec);
  if (asserted) return fail(asserted, status);
  return pass(status);
}

export async function runStep(step: Step, state: TestState, sec: SectionState): Promise<StepOutcome> {
  const { session } = state.ctx;
  const [t, s] = [state.test.name, sec.section.name];
  if (step.kind === 'Unsupported') return { result: 'skip', reason: `${step.element} is not run by this runner` };
  let resolved;
  try {
    resolved = await resolveVariables(step, state, sec);
  } catch (e) {
    if (e instanceof MissingValue) return fail(e.message);
    throw e;
  }
  const { vars, referredPatients } = resolved;
  try {
    switch (step.kind) {
      case 'None':
        if (step.newPatientId) state.patient = await session.newPatient();
        sec.log.push({ id: step.id, element: 'NullTransaction' });
        return pass();
      case 'PatientIdentityFeed': {
        // Replaced by registering the patient (the server has no HL7 feed).
        const role = FEED_TESTS[t];
        const patient = step.newPatientId ? await session.newPatient() : role ? await session.patientFor(role) : await state.currentPatient();
        if (step.newPatientId || !role) state.patient = patient;
        session.setReport(t, s, step.id, '$patientid$', patient);
        session.setStepPatient(t, s, step.id, patient);
        sec.log.push({ id: step.id, element: step.element });
        return pass();
      }
      case 'Null': {
        sec.log.push({ id: step.id, element: step.element });
        const a = evaluateAsserts(step, vars, sec);
        return a ? fail(a) : pass();
      }
      default:
        return await runTransaction(step, state, sec, vars, referredPatients);
    }
  } catch (e) {
    if (e instanceof MissingValue) return fail(e.message);
    return fail(`runner error: ${e instanceof Error ? e.message : String(e)}`);
  }
}
