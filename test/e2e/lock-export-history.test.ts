// The lock from outside, through the archive's history (PAT-06): history.json gives each row its
// lane and its place in that lane. A row the reader is not shown (TRACE-05: it concerns a document
// hidden from them) must leave no trace there: a gap in the places would count the hidden rows,
// and date them between their neighbours. A minor's record, a secret document deposited between
// two ordinary ones, the representative's archive; a real port, each store.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Actor } from '../../src/domain/actor.js';
import { call, provide, startPortal, type Portal } from '../support/patient-portal.js';
import { minorRecord } from '../support/lock-records.js';
import { storeKinds } from '../support/stores.js';
import { proActor } from '../support/world.js';
import { readZip } from '../support/zip.js';

interface HistoryItem {
  lane: number;
  seq: number;
  action: string;
  document: { logicalId: string } | null;
}

for (const kind of storeKinds()) {
  describe(`PAT-06 / TRACE-05: the archive's history numbers only the rows its reader is shown [${kind}]`, () => {
    let portal: Portal;
    const doctor = proActor('doctor');
    let patientKey: string;
    let representative: Actor;
    let patient: Actor;
    let secret: string;

    const historyOf = async (actor: Actor): Promise<HistoryItem[]> => {
      const res = await call(portal, 'GET', `/fhir/Patient/${patientKey}/$download?parts=history`, { actor });
      expect(res.status).toBe(200);
      return JSON.parse(readZip(res.bytes).find((e) => e.name === 'history.json')!.data.toString()) as HistoryItem[];
    };

    beforeAll(async () => {
      portal = await startPortal({}, kind);
      const created = await minorRecord(portal.server.app.services, [{ given: 'Jeanne', family: 'Durand' }]);
      patientKey = created.patientKey;
      representative = { kind: 'legal_representative', patientKey, representativeId: created.representativeIds[0] };
      patient = { kind: 'patient', patientKey };
      await provide(portal, doctor, patientKey, [{ typeCode: '11488-4', classCode: '10', content: 'avant' }]);
      [secret] = await provide(portal, doctor, patientKey, [{ typeCode: '11488-4', classCode: '10', confidentiality: ['N', 'INVISIBLE_REPRESENTANTS_LEGAUX'], content: 'secret du mineur' }]);
      await provide(portal, doctor, patientKey, [{ typeCode: '11488-4', classCode: '10', content: 'après' }]);
    }, 60_000);
    afterAll(async () => {
      await portal?.close();
    });

    it('TRACE-05 / MASK-03: in the representative’s archive each lane’s rows follow one another without a gap where the secret deposit was', async () => {
      const mine = await historyOf(representative);
      expect(mine.some((r) => r.document?.logicalId === secret)).toBe(false);
      const gaps: unknown[] = [];
      const last = new Map<number, number>();
      for (const r of mine) {
        const before = last.get(r.lane);
        if (before !== undefined && r.seq !== before + 1) gaps.push({ lane: r.lane, after: before, seq: r.seq, action: r.action });
        last.set(r.lane, r.seq);
      }
      expect(gaps).toEqual([]);
      // every lane starts where the patient's, who sees every row, starts
      const theirs = await historyOf(patient);
      expect(theirs.some((r) => r.document?.logicalId === secret)).toBe(true);
      const firstOf = (rows: HistoryItem[]) => new Map([...rows].reverse().map((r) => [r.lane, r.seq]));
      for (const [lane, seq] of firstOf(mine)) expect({ lane, seq }).toEqual({ lane, seq: firstOf(theirs).get(lane) });
    });
  });
}
