// The shapes shared by the NIST XDS test-plan runner: a loaded test, its steps, and results.

/** Transaction element names of testplan.xml, without the `Transaction` suffix. */
export type TransactionKind =
  | 'ProvideAndRegister'
  | 'Register'
  | 'StoredQuery'
  | 'Retrieve'
  | 'Mu'
  | 'PatientIdentityFeed'
  | 'Null'
  /** a step with no transaction element (e.g. only `<NewPatientId/>`) */
  | 'None'
  /** anything this runner does not send (Http, FhirRead, ProvideDocumentBundle, Rmu, ...) */
  | 'Unsupported';

export type ExpectedStatus = 'Success' | 'Failure' | 'PartialSuccess' | 'Fault';

export interface UseId {
  /** the section folder, relative to the current section folder (or the test folder) */
  testdir: string;
  /** symbolic id in that step's input metadata */
  id: string;
  symbol: string;
  step: string;
  /** AssignedUids | AssignedUuids | AssignedPatientId */
  section: string;
}

export interface UseReport {
  reportName: string;
  /** another test; absent = this test */
  test?: string;
  section: string;
  step: string;
  useAs: string;
}

export interface ReportSpec {
  name: string;
  /** InputMetadata | Result */
  section: string;
  xpath: string;
}

/** One `<ExpectedContents>` child: a named pattern or a count. */
export interface ContentExpectation {
  name: string;
  count?: number;
}

export interface AssertSpec {
  id: string;
  xpath: string;
}

export interface DocumentRef {
  /** ExtrinsicObject symbolic id */
  id: string;
  file: string;
}

export interface ReferenceDocument {
  uid: string;
  file: string;
}

export interface Step {
  id: string;
  kind: TransactionKind;
  /** the element name as written, for messages (e.g. `HttpTransaction`) */
  element: string;
  expectedStatus: ExpectedStatus;
  expectedErrorMessages: string[];
  expectedErrorCodes: string[];
  metadataFile?: string;
  documents: DocumentRef[];
  assignUuids: boolean;
  /** true: keep every uniqueId; a list: keep those objects' uniqueIds only */
  noAssignUids: boolean | string[];
  noPatientId: boolean;
  altPatientId: boolean;
  noConvert: boolean;
  /** `<NewPatientId/>` / `<CreateNewPatientId/>`: a fresh registered patient from here on */
  newPatientId: boolean;
  useIds: UseId[];
  useReports: UseReport[];
  reports: ReportSpec[];
  /** undefined when the step has no ExpectedContents element */
  expectedContents?: ContentExpectation[];
  asserts: AssertSpec[];
  referenceDocuments: ReferenceDocument[];
}

export interface Section {
  name: string;
  dir: string;
  steps: Step[];
}

export interface LoadedTest {
  name: string;
  dir: string;
  title: string;
  collections: string[];
  sections: Section[];
}

/** `deviation`: the server gave the answer Carnet declares instead of the toolkit's (deviations.ts) */
export type Verdict = 'pass' | 'fail' | 'skip' | 'deviation';

export interface StepResult {
  section: string;
  step: string;
  kind: TransactionKind;
  result: Verdict;
  reason?: string;
  /** RegistryResponse status seen (local name), or `Fault` */
  status?: string;
  durationMs: number;
}

export interface TestResult {
  test: string;
  result: Verdict;
  /** section/step of the first failure or the skip */
  at?: string;
  reason?: string;
  steps: StepResult[];
}

export interface RunSummary {
  passed: number;
  failed: number;
  skipped: number;
  /** tests that met Carnet's declared answer where it differs from the toolkit's: not passes */
  deviations: number;
  results: TestResult[];
}
