// Reading one section's testplan.xml (no namespace) into Steps. Flags such as <AltPatientId/> may
// sit on the TestStep or inside its transaction element; both places are read.
import { attr, childElements, parseXml, TRUSTED_XML_LIMITS, textOf } from '../../xml/index.js';
import type { Element } from '../../xml/index.js';
import type { ContentExpectation, ExpectedStatus, Step, TransactionKind } from './types.js';

const KINDS: Record<string, TransactionKind> = {
  ProvideAndRegisterTransaction: 'ProvideAndRegister',
  RegisterTransaction: 'Register',
  StoredQueryTransaction: 'StoredQuery',
  RetrieveTransaction: 'Retrieve',
  MuTransaction: 'Mu',
  PatientIdentityFeedTransaction: 'PatientIdentityFeed',
  NullTransaction: 'Null',
};

/** Child elements of a TestStep that are not transactions. */
const STEP_CHILDREN = new Set([
  'Goal',
  'Rule',
  'ExpectedStatus',
  'ExpectedErrorMessage',
  'ExpectedErrorCode',
  'AltPatientId',
  'NoPatientId',
  'NewPatientId',
  'AssignUuids',
  'NoAssignUids',
  'UseReport',
  'UseId',
]);

function children(el: Element, local: string): Element[] {
  return childElements(el).filter((c) => c.localName === local);
}

function has(els: Element[], local: string): boolean {
  return els.some((e) => children(e, local).length > 0);
}

function statusOf(text: string | undefined): ExpectedStatus {
  const t = (text ?? 'Success').trim();
  if (t === 'Success' || t === 'Failure' || t === 'PartialSuccess' || t === 'Fault') return t;
  throw new Error(`unknown ExpectedStatus "${t}"`);
}

function contents(el: Element | undefined): ContentExpectation[] | undefined {
  if (!el) return undefined;
  return childElements(el).map((c) => {
    const count = attr(c, 'count');
    return count === undefined ? { name: c.localName! } : { name: c.localName!, count: Number(count) };
  });
}

function readStep(stepEl: Element): Step {
  const id = attr(stepEl, 'id') ?? '';
  const tx = childElements(stepEl).find((c) => !STEP_CHILDREN.has(c.localName ?? ''));
  const element = tx?.localName ?? '';
  const kind: TransactionKind = tx ? (KINDS[element] ?? 'Unsupported') : 'None';
  // Flags and references are read from the step and its transaction alike.
  const scopes = tx ? [stepEl, tx] : [stepEl];
  const all = (local: string) => scopes.flatMap((s) => children(s, local));

  const noAssign = all('NoAssignUids');
  const noAssignUids: boolean | string[] =
    noAssign.length === 0 ? false : noAssign.some((e) => !attr(e, 'id')) ? true : noAssign.map((e) => attr(e, 'id')!);

  const assertions = tx ? children(tx, 'Assertions')[0] : undefined;
  return {
    id,
    kind,
    element,
    expectedStatus: statusOf(children(stepEl, 'ExpectedStatus')[0] ? textOf(children(stepEl, 'ExpectedStatus')[0]) : undefined),
    expectedErrorMessages: children(stepEl, 'ExpectedErrorMessage').map((e) => textOf(e).trim()).filter(Boolean),
    expectedErrorCodes: children(stepEl, 'ExpectedErrorCode').map((e) => textOf(e).trim()).filter(Boolean),
    metadataFile: tx && children(tx, 'MetadataFile')[0] ? textOf(children(tx, 'MetadataFile')[0]).trim() : undefined,
    documents: tx ? children(tx, 'Document').map((d) => ({ id: attr(d, 'id') ?? '', file: textOf(d).trim() })) : [],
    assignUuids: has(scopes, 'AssignUuids'),
    noAssignUids,
    noPatientId: has(scopes, 'NoPatientId'),
    altPatientId: has(scopes, 'AltPatientId'),
    noConvert: has(scopes, 'NoConvert'),
    newPatientId: has(scopes, 'NewPatientId') || has(scopes, 'CreateNewPatientId'),
    useIds: all('UseId').map((u) => ({
      testdir: attr(u, 'testdir') ?? '',
      id: attr(u, 'id') ?? '',
      symbol: attr(u, 'symbol') ?? '',
      step: attr(u, 'step') ?? '',
      section: attr(u, 'section') ?? '',
    })),
    useReports: all('UseReport').map((u) => ({
      reportName: attr(u, 'reportName') ?? '',
      test: attr(u, 'test'),
      section: attr(u, 'section') ?? '',
      step: attr(u, 'step') ?? '',
      useAs: attr(u, 'useAs') ?? '',
    })),
    reports: tx
      ? children(tx, 'Report').map((r) => ({ name: attr(r, 'name') ?? '', section: attr(r, 'section') ?? 'Result', xpath: textOf(r).trim() }))
      : [],
    expectedContents: tx ? contents(children(tx, 'ExpectedContents')[0]) : undefined,
    asserts: assertions ? children(assertions, 'Assert').map((a) => ({ id: attr(a, 'id') ?? '', xpath: textOf(a).trim() })) : [],
    referenceDocuments: tx ? children(tx, 'ReferenceDocument').map((r) => ({ uid: attr(r, 'uid') ?? '', file: textOf(r).trim() })) : [],
  };
}

/** Parses testplan.xml text into its steps, in order. */
export function parseTestPlan(xml: string): Step[] {
  const doc = parseXml(xml, TRUSTED_XML_LIMITS);
  const root = doc.documentElement!;
  if (root.localName !== 'TestPlan') throw new Error(`testplan root is <${root.localName}>, not <TestPlan>`);
  return children(root, 'TestStep').map(readStep);
}
