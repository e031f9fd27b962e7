// The state a step runs in: the run (session, endpoints, caller) and its test (current patient,
// section log), plus the hook that runs a test another one depends on.
import type { AffinityCodeMapper } from './affinity-codes.js';
import type { Deviations } from './deviations.js';
import type { RunnerAssertions, RunnerProfessional, Signer } from './identity.js';
import type { RunSession } from './session.js';
import type { LoggedStep } from './xpath-eval.js';
import type { LoadedTest, Section, TestResult } from './types.js';

export interface Endpoints {
  registry: string;
  repository: string;
}

export interface RunContext {
  session: RunSession;
  endpoints: Endpoints;
  professional: RunnerProfessional;
  signer: Signer;
  /** the signed VIHF headers the requests carry (signed with `signer`) */
  assertions: RunnerAssertions;
  /** SAML Audience to put in the VIHF, when the server checks one */
  audience?: string;
  /** affinity-domain code mapping (undefined: the toolkit's codes are sent as they are) */
  codes?: AffinityCodeMapper;
  /** steps where Carnet declares another answer than the toolkit's (deviations.json) */
  deviations?: Deviations;
  /** XDSSubmissionSet.sourceId to send (undefined: the files' own) */
  sourceId?: string;
  /** runs (once) a test another refers to; undefined when no such test can be found */
  runDependency(test: string): Promise<TestResult | undefined>;
  now(): Date;
}

export class TestState {
  /** CX of the patient this test submits for (after <NewPatientId/>, or the run's default) */
  patient?: string;
  /** other tests this one took values from that did not pass */
  readonly notes = new Set<string>();
  constructor(
    readonly test: LoadedTest,
    readonly ctx: RunContext,
  ) {}

  async currentPatient(): Promise<string> {
    this.patient ??= await this.ctx.session.patientFor('register');
    return this.patient;
  }
}

export interface SectionState {
  section: Section;
  log: LoggedStep[];
}
