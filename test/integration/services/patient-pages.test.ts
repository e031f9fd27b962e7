// The patient's pages on both stores: the grouped counts, the first-access query and the export
// read the record through SQL of their own (DISTINCT ON, FILTER), so both databases run them.
import { beforeAll, expect, it } from '@jest/globals';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../../support/world.js';

describeEachStore('the patient\'s pages (PAT-01/06, TRACE-03)', (db) => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld(db());
  });

  it('PAT-01: counts per category and the latest documents leave out what the patient may not see', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const doctor = proActor('doctor');
    await w.services.submissions.submit(as(doctor), submission(ins, [
      { authorId: doctor.idNatPs, typeCode: '11488-4' },
      { authorId: doctor.idNatPs, typeCode: '34133-9', classCode: '11' },
      { authorId: doctor.idNatPs, typeCode: '11488-4', confidentiality: ['N', 'INVISIBLE_PATIENT'] },
    ]));
    const home = await w.services.home.home(patientCaller(patientKey), patientKey);
    expect(home.categories.map((c) => [c.classCode, c.current, c.archived])).toEqual([['10', 1, 0], ['11', 1, 0]]);
    expect(home.currentCount).toBe(2);
    expect(home.latest).toHaveLength(2);
  });

  it('TRACE-03: the first access of each professional is found over the whole chain, not the page', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const doctor = proActor('doctor');
    await w.services.submissions.submit(as(doctor), submission(ins, [{ authorId: doctor.idNatPs }]));
    await w.services.submissions.submit(as(doctor), submission(ins, [{ authorId: doctor.idNatPs }]));
    const newest = await w.services.historyView.read(patientCaller(patientKey), patientKey, { side: 'professional', limit: 1, offset: 0 });
    expect(newest.rows[0].marks).toMatchObject({ side: 'professional', firstAccessByProfessional: false });
    const all = await w.services.historyView.read(patientCaller(patientKey), patientKey, { side: 'professional', limit: 50, offset: 0 });
    expect(all.rows.filter((r) => r.marks.firstAccessByProfessional)).toHaveLength(1);
    expect(all.rows.at(-1)!.marks.firstAccessByProfessional).toBe(true);
  });

  it('PAT-06: the export yields each visible document, the history oldest first and a manifest naming them', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const doctor = proActor('doctor');
    await w.services.submissions.submit(as(doctor), submission(ins, [{ authorId: doctor.idNatPs, content: 'visible' }, { authorId: doctor.idNatPs, confidentiality: ['N', 'INVISIBLE_PATIENT'] }]));
    const opened = await w.services.exports.open(patientCaller(patientKey), patientKey);
    const out = new Map<string, string>();
    for (const e of opened.entries) {
      const chunks: Buffer[] = [];
      for await (const c of e.data()) chunks.push(c);
      out.set(e.name, Buffer.concat(chunks).toString('utf8'));
    }
    const texts = [...out.entries()].filter(([k]) => k.endsWith('.txt')).map(([, v]) => v);
    expect(texts).toEqual(['visible']);
    const history = JSON.parse(out.get('history.json')!) as Array<{ seq: number; action: string }>;
    expect(history[0].action).toBe('record.create');
    expect(history.at(-1)!.action).toBe('record.export');
    const manifest = JSON.parse(out.get('manifest.json')!);
    expect(manifest.files.map((f: { name: string }) => f.name).sort()).toEqual([...out.keys()].filter((k) => k !== 'manifest.json').sort());
  });

  it('TRACE-05 / PAT-06: the archive\'s history is the chain as the export was decided; a row committed after it, stamped no later, stays out', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const doctor = proActor('doctor');
    await w.services.submissions.submit(as(doctor), submission(ins, [{ authorId: doctor.idNatPs, content: 'avant' }]));
    // the export is decided and answered; its history is read when the archive reaches it
    const opened = await w.services.exports.open(patientCaller(patientKey), patientKey, { parts: ['history'] });
    // meanwhile (the clock has not moved: stamped as a request in flight at the decision would
    // be) another access commits its row
    await w.services.submissions.submit(as(doctor), submission(ins, [{ authorId: doctor.idNatPs, content: 'pendant' }]));
    const out = new Map<string, string>();
    for (const e of opened.entries) {
      const chunks: Buffer[] = [];
      for await (const c of e.data()) chunks.push(c);
      out.set(e.name, Buffer.concat(chunks).toString('utf8'));
    }
    const history = JSON.parse(out.get('history.json')!) as Array<{ action: string }>;
    expect(history.map((h) => h.action).filter((a) => a === 'document.submit' || a === 'record.export')).toEqual(['document.submit', 'record.export']);
    expect(history.at(-1)!.action).toBe('record.export');
  });
});
