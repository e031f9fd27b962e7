// Properties over generated actors, records and documents: the read decision and the search
// filter agree (ACC-08), and the refusals that no combination may lift hold (ACC-03/04, MASK-01,
// DMP-05).
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ACTIONS } from '../../../src/domain/actions.js';
import type { Actor } from '../../../src/domain/actor.js';
import { decide } from '../../../src/domain/decide.js';
import type { AvailabilityStatus } from '../../../src/domain/model.js';
import { loneMember, type MemberFacts } from '../../../src/domain/lineage.js';
import { hidesExistence } from '../../../src/domain/reasons.js';
import type { DocumentFacts, RecordContext } from '../../../src/domain/record.js';
import { filterAllows, memberAllows, visibilityFilter } from '../../../src/domain/visibility.js';
import { PATIENT_KEY, policy } from './fixtures.js';

const PEOPLE = ['810000000001', '810000000002', '810000000003'];
const STRUCTURES = ['S1', 'S2'];
const PROFESSIONS = ['10', '21', '40', '50', '60', '69', '80', '70', '35', '36', '93', '98', 'COORD_PARCOURS', 'ADM_ACCUEIL', 'ADM_SECRETARIAT', '99'];
const MODES = ['normal', 'bris_de_glace', 'centre_15', 'urgence'];
const TYPES = [...policy.terminology.documentTypes.keys()];
const CODES = ['N', 'R', 'V', 'MASQUE_PS', 'INVISIBLE_PATIENT', 'INVISIBLE_REPRESENTANTS_LEGAUX'];
const STATUSES: AvailabilityStatus[] = ['Approved', 'Deprecated', 'Archived', 'Deleted', 'Submitted'];
const REPS = ['rep-1', 'rep-2', 'stranger'];
/** ACC-10: the record's own INS and another patient's */
const OWN_INS = { system: '1.2.250.1.213.1.4.8', value: '180000000000001' };
const OTHER_INS = { system: '1.2.250.1.213.1.4.8', value: '280000000000002' };

const professional = fc.record({
  kind: fc.constant('professional' as const),
  idNatPs: fc.constantFrom(...PEOPLE),
  profession: fc.constantFrom(...PROFESSIONS),
  specialty: fc.option(fc.constantFrom('G', 'SM26'), { nil: undefined }),
  structureId: fc.option(fc.constantFrom(...STRUCTURES), { nil: undefined }),
  mode: fc.constantFrom(...MODES),
  onPatientRequest: fc.boolean(),
  boundPatient: fc.option(fc.constantFrom(OWN_INS, OTHER_INS), { nil: undefined }),
});

const actor: fc.Arbitrary<Actor> = fc.oneof(
  { weight: 6, arbitrary: professional },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('patient' as const), patientKey: fc.constantFrom(PATIENT_KEY, 'other') }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('legal_representative' as const),
      patientKey: fc.constantFrom(PATIENT_KEY, 'other'),
      representativeId: fc.constantFrom(...REPS),
    }),
  },
  { weight: 1, arbitrary: fc.constant<Actor>({ kind: 'support', agentId: 'agent' }) },
  { weight: 1, arbitrary: fc.constant<Actor>({ kind: 'system', component: 'job' }) },
);

const grant = fc.record({
  subjectKind: fc.constantFrom('professional' as const, 'structure' as const),
  subjectId: fc.constantFrom(...PEOPLE, ...STRUCTURES),
  effect: fc.constantFrom('permit' as const, 'deny' as const),
});

const record: fc.Arbitrary<RecordContext> = fc.record({
  patientKey: fc.constant(PATIENT_KEY),
  identifiers: fc.constant([OWN_INS]),
  status: fc.constantFrom('open' as const, 'closed' as const),
  birthDate: fc.option(fc.constantFrom('1950-05-05', '2000-01-01', '2007-06-15', '2012-02-29', '2020-10-10', 'garbage'), { nil: undefined }),
  emancipated: fc.boolean(),
  protectedAdult: fc.boolean(),
  medecinTraitant: fc.option(fc.constantFrom(...PEOPLE), { nil: null }),
  grants: fc.array(grant, { maxLength: 4 }),
  emergencyOppositions: fc.record({ bris_de_glace: fc.boolean(), centre_15: fc.boolean() }),
  legalRepresentatives: fc.array(
    fc.record({
      representativeId: fc.constantFrom('rep-1', 'rep-2'),
      doctorPresenceRequired: fc.boolean(),
      accessEndsAt: fc.option(fc.constantFrom('2024-01-01', '2031-01-01'), { nil: undefined }),
      endedAt: fc.option(fc.constantFrom('2023-01-01', 'bad'), { nil: undefined }),
    }),
    { maxLength: 2 },
  ),
  closedAt: fc.option(fc.constantFrom('2012-01-01T00:00:00Z', '2024-01-01T00:00:00Z'), { nil: undefined }),
});

const member: fc.Arbitrary<MemberFacts> = fc.record({
  typeCode: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...TYPES) }, { weight: 1, arbitrary: fc.constant('UNKNOWN-1') }),
  confidentiality: fc.subarray(CODES),
  status: fc.constantFrom(...STATUSES),
  authorIds: fc.subarray(PEOPLE),
  authoredByPatient: fc.boolean(),
});

/** ACC-09: a version alone in its lineage, or following another latest version and current member, or not loaded. */
const documentFacts: fc.Arbitrary<DocumentFacts> = fc
  .tuple(
    member,
    fc.record({ classCode: fc.constantFrom('10', '11', '90'), authorStructures: fc.subarray(STRUCTURES) }),
    fc.oneof(
      { weight: 4, arbitrary: fc.constant('lone' as const) },
      { weight: 5, arbitrary: fc.record({ latest: member, current: fc.option(member, { nil: null }) }) },
      { weight: 1, arbitrary: fc.constant(null) },
    ),
  )
  .map(([own, rest, lineage]): DocumentFacts => ({ ...own, ...rest, lineage: lineage === 'lone' ? loneMember(own) : lineage }));

const now = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2032-01-01T00:00:00Z'), noInvalidDate: true });

const RUNS = 12_000;

describe('visibility filter and decide agree', () => {
  it('ACC-08: decide(document.read) permits exactly the documents filterAllows admits', () => {
    fc.assert(
      fc.property(actor, record, documentFacts, now, (a, c, d, t) => {
        const decision = decide(policy, a, c, d, 'document.read', t);
        const f = visibilityFilter(policy, a, c, t);
        expect(decision.permit).toBe(filterAllows(f, d));
        if (decision.permit && f.kind === 'some') expect(decision.emergency).toBe(f.emergency);
      }),
      { numRuns: RUNS },
    );
  });

  it('ACC-09: a version is read only by whoever may read it, its document\'s latest version and its lineage\'s current member', () => {
    fc.assert(
      fc.property(actor, record, documentFacts, now, (a, c, d, t) => {
        const f = visibilityFilter(policy, a, c, t);
        const decision = decide(policy, a, c, d, 'document.read', t);
        const own = memberAllows(f, d);
        const gate = d.lineage !== null && memberAllows(f, d.lineage.latest) && (d.lineage.current === null || memberAllows(f, d.lineage.current));
        expect(decision.permit).toBe(own && gate);
        // hidden by its lineage alone, a version answers like a hidden document: as an unknown id
        if (own && !gate && f.kind === 'some' && !decision.permit) expect(['lineage_hidden', 'document_unavailable']).toContain(decision.reason);
        if (!decision.permit && own && f.kind === 'some') expect(hidesExistence(decision.reason)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('ACC-08: record.read is permitted exactly when the filter can admit something, with the same emergency flag', () => {
    fc.assert(
      fc.property(actor, record, now, (a, c, t) => {
        const decision = decide(policy, a, c, null, 'record.read', t);
        const f = visibilityFilter(policy, a, c, t);
        expect(decision.permit).toBe(f.kind === 'some');
        if (decision.permit && f.kind === 'some') expect(decision.emergency).toBe(f.emergency);
      }),
      { numRuns: 3000 },
    );
  });

  it('ACC-03 / ACC-04 / ACC-08: blocked professionals, administrative staff, unknown professions and modes are refused every action', () => {
    fc.assert(
      fc.property(professional, record, fc.option(documentFacts, { nil: null }), fc.constantFrom(...ACTIONS), now, (p, c, d, action, t) => {
        const blocked = c.grants.some(
          (g) => g.effect === 'deny' && ((g.subjectKind === 'professional' && g.subjectId === p.idNatPs) || (g.subjectKind === 'structure' && g.subjectId === p.structureId)),
        );
        const refusedIdentity = p.profession.startsWith('ADM_') || p.profession === '99' || p.mode === 'urgence';
        if (blocked || refusedIdentity) expect(decide(policy, p, c, d, action, t).permit).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });

  it('MASK-01: a professional reads a masked document only as its author or as médecin traitant', () => {
    fc.assert(
      fc.property(professional, record, documentFacts, now, (p, c, d, t) => {
        const masked = { ...d, confidentiality: [...d.confidentiality, 'MASQUE_PS'] };
        if (decide(policy, p, c, masked, 'document.read', t).permit) {
          expect(masked.authorIds.includes(p.idNatPs) || c.medecinTraitant === p.idNatPs).toBe(true);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('DMP-05, ACC-07: on a closed record a professional may do nothing but ask whether it exists, and reopen it at the patient\'s request', () => {
    fc.assert(
      fc.property(professional, record, fc.option(documentFacts, { nil: null }), fc.constantFrom(...ACTIONS), now, (p, c, d, action, t) => {
        if (action === 'record.exists' || action === 'record.create') return;
        if (action === 'record.reactivate' && p.onPatientRequest === true) return;
        expect(decide(policy, p, { ...c, status: 'closed' }, d, action, t).permit).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });
});
