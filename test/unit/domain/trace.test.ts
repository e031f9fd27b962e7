import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { decide } from '../../../src/domain/decide.js';
import { GENESIS_HASH, chainHash, firstBrokenLink, type ChainLink } from '../../../src/domain/trace-chain.js';
import { traceFacts } from '../../../src/domain/trace-facts.js';
import { filterHistory, markHistory, type HistoryEntry } from '../../../src/domain/trace-view.js';
import { DOCTOR, NOW, OTHER_DOCTOR, ctx, doc, minorCtx, patient, permitPro, policy, pro, rep } from './fixtures.js';

function chain(rows: string[]): ChainLink[] {
  const out: ChainLink[] = [];
  let prev = GENESIS_HASH;
  for (const canonical of rows) {
    const hash = chainHash(prev, canonical);
    out.push({ canonical, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

describe('TRACE: the access history', () => {
  it('TRACE-01: a trace row carries actor, profession, mode, action, outcome and the emergency flag', () => {
    const actor = pro({ profession: '60', mode: 'bris_de_glace', structureId: 'S1' });
    const decision = decide(policy, actor, ctx(), doc(), 'document.read', NOW);
    expect(traceFacts(actor, 'document.read', decision)).toEqual({
      actorKind: 'professional',
      actorId: DOCTOR,
      profession: '60',
      specialty: null,
      structureId: 'S1',
      accessMode: 'bris_de_glace',
      onPatientRequest: false,
      action: 'document.read',
      outcome: 'permit',
      reason: null,
      emergency: true,
    });
  });

  it('TRACE-01: refusals are traced with their reason; acts at the patient\'s request say so (ACC-07)', () => {
    const refused = traceFacts(pro(), 'document.read', decide(policy, pro(), ctx(), doc(), 'document.read', NOW));
    expect(refused).toMatchObject({ outcome: 'deny', reason: 'not_authorised', emergency: false });
    const forPatient = pro({ onPatientRequest: true });
    const closing = decide(policy, forPatient, ctx({ grants: [permitPro(DOCTOR)] }), null, 'record.close', NOW);
    expect(traceFacts(forPatient, 'record.close', closing)).toMatchObject({ outcome: 'permit', onPatientRequest: true });
    expect(traceFacts(patient(), 'document.read', { permit: true, emergency: false })).toMatchObject({ actorKind: 'patient', profession: null });
  });

  it('TRACE-02: the chain hash is SHA-256 over the previous hash, a newline and the canonical row', () => {
    const expected = createHash('sha256').update(GENESIS_HASH).update('\n').update('{"a":1}').digest('hex');
    expect(chainHash(null, '{"a":1}')).toBe(expected);
    expect(chainHash(GENESIS_HASH, '{"a":1}')).toBe(expected);
    expect(chainHash(expected, '{"a":1}')).not.toBe(expected);
  });

  it('TRACE-02: any altered, removed or reordered row is detected', () => {
    const rows = chain(['{"n":1}', '{"n":2}', '{"n":3}']);
    expect(firstBrokenLink(rows)).toBe(-1);
    expect(firstBrokenLink([rows[0], { ...rows[1], canonical: '{"n":9}' }, rows[2]])).toBe(1);
    expect(firstBrokenLink([rows[0], rows[2]])).toBe(1);
    expect(firstBrokenLink([rows[1], rows[0], rows[2]])).toBe(0);
  });

  it('TRACE-03: the patient\'s history is split, newest first, with new entries, first accesses and emergencies marked', () => {
    const entries: HistoryEntry[] = [
      { id: '1', at: '2025-06-01T10:00:00Z', actorKind: 'professional', actorId: DOCTOR, emergency: false, documentId: 'd1' },
      { id: '2', at: '2025-06-10T10:00:00Z', actorKind: 'patient', actorId: 'patient:rec-1', emergency: false },
      { id: '3', at: '2025-06-12T10:00:00Z', actorKind: 'professional', actorId: DOCTOR, emergency: false },
      { id: '4', at: '2025-06-13T10:00:00Z', actorKind: 'professional', actorId: OTHER_DOCTOR, emergency: true },
    ];
    const marked = markHistory(entries, '2025-06-11T00:00:00Z');
    expect(marked.map((e) => e.id)).toEqual(['4', '3', '2', '1']);
    expect(marked.map((e) => e.newSinceLastLogin)).toEqual([true, true, false, false]);
    expect(marked.map((e) => e.firstAccessByProfessional)).toEqual([true, false, false, true]);
    expect(marked.find((e) => e.id === '4')?.emergency).toBe(true);
    expect(filterHistory(marked, { side: 'own' }).map((e) => e.id)).toEqual(['2']);
    expect(filterHistory(marked, { actorId: DOCTOR }).map((e) => e.id)).toEqual(['3', '1']);
    expect(marked.find((e) => e.id === '1')?.documentId).toBe('d1');
  });

  it('TRACE-03: the patient and the representatives read the whole history', () => {
    expect(decide(policy, patient(), ctx(), null, 'trace.read', NOW).permit).toBe(true);
    expect(decide(policy, rep(), minorCtx(), null, 'trace.read', NOW).permit).toBe(true);
    expect(decide(policy, { kind: 'support', agentId: 'a' }, ctx(), null, 'trace.read', NOW).permit).toBe(false);
  });

  it('TRACE-04: among professionals only the médecin traitant reads the history', () => {
    const c = ctx({ grants: [permitPro(DOCTOR), permitPro(OTHER_DOCTOR)], medecinTraitant: DOCTOR });
    expect(decide(policy, pro(), c, null, 'trace.read', NOW).permit).toBe(true);
    expect(decide(policy, pro({ idNatPs: OTHER_DOCTOR }), c, null, 'trace.read', NOW)).toEqual({ permit: false, reason: 'not_medecin_traitant' });
    // the médecin traitant without a current authorisation reads nothing
    expect(decide(policy, pro(), ctx({ medecinTraitant: DOCTOR }), null, 'trace.read', NOW)).toEqual({ permit: false, reason: 'not_authorised' });
    // nor in an emergency access
    expect(decide(policy, pro({ idNatPs: OTHER_DOCTOR, mode: 'bris_de_glace' }), ctx(), null, 'trace.read', NOW).permit).toBe(false);
  });
});
