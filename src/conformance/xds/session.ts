// What one run remembers across tests: reports (keyed test/section/step/name), the ids each step
// assigned, the patient each step used, the bytes of every document sent (to check retrieves),
// and the test patients. The toolkit's Patient Identity Feed tests are replaced by registering a
// patient through the `registerPatient` callback (or by patients given up front).
import { randomInt } from 'node:crypto';
import type { PatientIdentifier } from '../../domain/model.js';
import { formatCx } from '../../domain/hl7v2.js';

/** Which test patient a feed test stands for. */
export type PatientRole = 'register' | 'register-alt' | 'sq';

/** The toolkit's feed tests and the patient each one establishes. */
export const FEED_TESTS: Record<string, PatientRole> = {
  '15804': 'register',
  '15817': 'register',
  '15817b': 'register-alt',
  '15818': 'sq',
};

export type AssignedKind = 'AssignedUids' | 'AssignedUuids' | 'AssignedPatientId';

export interface SentDocument {
  bytes: Buffer;
  mimeType: string;
}

export interface SessionOptions {
  /** registers a patient so the server knows it (and lets the runner's professional in) */
  registerPatient?: (patient: PatientIdentifier) => Promise<void>;
  /** assigning authority of generated patient ids (default INS-NIR 1.2.250.1.213.1.4.8) */
  patientSystem?: string;
  /** patients that already exist on the server, by role (used instead of registering) */
  patients?: Partial<Record<PatientRole, PatientIdentifier>>;
  /** root OID of generated uniqueIds */
  uidRoot?: string;
}

const key = (...parts: string[]) => parts.join('\u0000');

export class RunSession {
  private readonly reports = new Map<string, string>();
  private readonly assigned = new Map<string, string>();
  private readonly stepPatients = new Map<string, string>();
  private readonly rolePatients = new Map<PatientRole, Promise<string>>();
  readonly sentDocuments = new Map<string, SentDocument>();
  private uidCounter = 0;
  private readonly uidBase: string;
  private alt?: string;

  constructor(private readonly options: SessionOptions = {}) {
    this.uidBase = `${options.uidRoot ?? '1.2.250.1.999.77'}.${Date.now()}.${process.pid}`;
  }

  get canRegister(): boolean {
    return !!this.options.registerPatient;
  }

  newUid(): string {
    this.uidCounter += 1;
    return `${this.uidBase}.${this.uidCounter}`;
  }

  private generatedPatient(): PatientIdentifier {
    // 13 digits, an INS-like shape; never a real NIR.
    const value = `${randomInt(1, 3)}${String(randomInt(0, 1_000_000)).padStart(6, '0')}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
    return { system: this.options.patientSystem ?? '1.2.250.1.213.1.4.8', value };
  }

  /** A new patient, registered when the runner can; its CX. */
  async newPatient(): Promise<string> {
    const p = this.generatedPatient();
    if (this.options.registerPatient) await this.options.registerPatient(p);
    return formatCx(p);
  }

  /** The patient a feed test establishes (registered once per run). */
  patientFor(role: PatientRole): Promise<string> {
    let p = this.rolePatients.get(role);
    if (!p) {
      const given = this.options.patients?.[role] ?? (role !== 'register' ? this.options.patients?.register : undefined);
      p = given && !this.options.registerPatient ? Promise.resolve(formatCx(given)) : this.newPatient();
      this.rolePatients.set(role, p);
    }
    return p;
  }

  /** A patient id the server was never told about (`<AltPatientId/>`). */
  unknownPatient(): string {
    this.alt ??= formatCx(this.generatedPatient());
    return this.alt;
  }

  setReport(test: string, section: string, step: string, name: string, value: string): void {
    this.reports.set(key(test, section, step, name), value);
  }

  async report(test: string, section: string, step: string, name: string): Promise<string | undefined> {
    const role = FEED_TESTS[test];
    if (role && name === '$patientid$') return this.patientFor(role);
    const reported = this.reports.get(key(test, section, step, name));
    // A step that did not report `$patientid$` ran for the session's patient, as every step of a
    // toolkit test does (20001 and 20005 take it from their query step).
    if (reported === undefined && name === '$patientid$') return this.stepPatients.get(key(test, section, step));
    return reported;
  }

  setAssigned(test: string, section: string, step: string, kind: AssignedKind, id: string, value: string): void {
    this.assigned.set(key(test, section, step, kind, id), value);
  }

  assignedValue(test: string, section: string, step: string, kind: AssignedKind, id: string): string | undefined {
    const v = this.assigned.get(key(test, section, step, kind, id));
    if (v !== undefined || kind !== 'AssignedPatientId') return v;
    return this.stepPatients.get(key(test, section, step));
  }

  setStepPatient(test: string, section: string, step: string, patient: string): void {
    this.stepPatients.set(key(test, section, step), patient);
  }

  stepPatient(test: string, section: string, step: string): string | undefined {
    return this.stepPatients.get(key(test, section, step));
  }
}
