// The directory fed from the national directory's extraction file (issue 16, item 9): what a load
// keeps, what it refuses line by line, what a second load changes, and the regulation centres.
import { expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isCarnetError } from '../../../src/domain/errors.js';
import { as, makeWorld, proActor, REGULATION_CENTRE, SYSTEM, type World } from '../../support/world.js';
import { describeEachStore } from '../../support/stores.js';

const SAMPLE = readFileSync(join(process.cwd(), 'test', 'fixtures', 'directory', 'ps-libre-acces-sample.txt'), 'utf8').split('\n');
// Lines of the sample by their number in the file (the header is line 1).
const line = (n: number) => SAMPLE[n - 1];
const header = line(1);
/** The sample with some lines left out or replaced. */
function edited(change: Record<number, string | null>): string[] {
  return SAMPLE.flatMap((l, i) => (i + 1 in change ? (change[i + 1] === null ? [] : [change[i + 1] as string]) : [l]));
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isCarnetError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a refusal');
}

describeEachStore('the directory load from the national extraction', (db) => {
  let w: World;
  const pros = (ids: string[]) => w.services.directory.searchProfessionals({ ids });

  it('PAT-04: a first load adds the professionals and structures of the file, and reports each refused line with its number and reason', async () => {
    w = await makeWorld(db());
    const report = await w.services.directory.loadExtract(SYSTEM, SAMPLE);
    expect(report).toMatchObject({ lines: 13, accepted: 7, dryRun: false });
    expect(report.professionals).toEqual({ added: 5, updated: 0, unchanged: 0, retired: 0 });
    expect(report.structures).toEqual({ added: 4, updated: 0, unchanged: 0, retired: 0 });
    expect(report.rejected).toEqual([
      { line: 7, reason: 'unknown profession code 99' },
      { line: 8, reason: 'identifier 8123 is neither an RPPS number (8 + 11 digits) nor an ADELI number (0 + 9 characters)' },
      { line: 9, reason: '10 fields where the header names 52' },
      { line: 10, reason: "no name (Nom d'exercice)" },
      { line: 13, reason: 'FINESS 75000 is not 9 characters' },
      { line: 14, reason: '810100000001 has profession 10 on line 2; one professional keeps one profession' },
    ]);

    // Found in the directory as patients and professionals search it.
    const found = await pros(['810100000001', '0751234567', '810100000005']);
    expect(found.rows.map((p) => [p.id_nat_ps, p.family, p.given, p.profession, p.specialty, p.structure_id, p.active])).toEqual([
      ['810100000005', 'MERCIER', 'Ines', '10', 'SM26', null, true],
      ['810100000001', 'MOREAU', 'Alice', '10', 'SM26', '312345678900011', true],
      ['0751234567', 'PETIT', 'Bernard', '60', null, '1750000011', true],
    ]);
    const places = await db().query<{ structure_id: string }>("SELECT structure_id FROM professional_activity WHERE id_nat_ps = '810100000001' ORDER BY structure_id");
    expect(places.rows.map((r) => r.structure_id)).toEqual(['1750000011', '312345678900011']);
    const structures = await w.services.directory.searchStructures({ ids: ['398765432100019', '1750000011'] });
    expect(structures.rows.map((s) => [s.structure_id, s.name, s.activity_sector, s.address])).toEqual([
      ['1750000011', 'HOPITAL SAINT-EXEMPLE', 'SA01', '1 Place du Parvis, 75004 Paris'],
      ['398765432100019', 'Pharmacie du Parvis', 'SA33', '3 Place du Parvis, 75004 Paris'],
    ]);
    // The load is traced, with what it changed.
    const trace = await db().query<{ actor_id: string; details: { accepted: number; rejected: number } }>("SELECT actor_id, details FROM access_trace WHERE action = 'directory.load'");
    expect(trace.rows).toEqual([{ actor_id: 'test', details: expect.objectContaining({ accepted: 7, rejected: 6 }) }]);
  });

  it('PAT-04: loading the same file again changes nothing', async () => {
    const report = await w.services.directory.loadExtract(SYSTEM, SAMPLE);
    expect(report.professionals).toEqual({ added: 0, updated: 0, unchanged: 5, retired: 0 });
    expect(report.structures).toEqual({ added: 0, updated: 0, unchanged: 4, retired: 0 });
  });

  it('PAT-04: a later extraction updates what changed and retires what it no longer lists, leaving the rows put by hand alone', async () => {
    const renamed = line(5).replace('|LAMBERT|Chloé|', '|LAMBERT-ROY|Chloé|');
    const report = await w.services.directory.loadExtract(SYSTEM, edited({ 3: null, 4: null, 5: renamed }));
    // Alice Moreau lost her hospital activity; the nurse left; the pharmacist changed her name.
    expect(report.professionals).toEqual({ added: 0, updated: 2, unchanged: 2, retired: 1 });
    // The hospital is no longer listed by anyone.
    expect(report.structures).toEqual({ added: 0, updated: 0, unchanged: 3, retired: 1 });
    const found = await pros(['0751234567', '810100000003']);
    expect(found.rows.map((p) => [p.id_nat_ps, p.family, p.active])).toEqual([
      ['810100000003', 'LAMBERT-ROY', true],
      ['0751234567', 'PETIT', false],
    ]);
    expect((await w.services.directory.searchStructures({ ids: ['1750000011'] })).rows[0]).toMatchObject({ active: false });
    // The professionals of the test world were put by hand: no load retires them.
    expect((await pros(['810000000001'])).rows[0]).toMatchObject({ active: true });

    // The nurse comes back in the next file: active again.
    const back = await w.services.directory.loadExtract(SYSTEM, SAMPLE);
    expect(back.professionals).toMatchObject({ added: 0, updated: 3, retired: 0 });
    expect((await pros(['0751234567'])).rows[0]).toMatchObject({ active: true, structure_id: '1750000011' });
  });

  it('PAT-04: a dry run reports what a load would change and writes nothing', async () => {
    const report = await w.services.directory.loadExtract(SYSTEM, edited({ 6: null }), { dryRun: true });
    expect(report).toMatchObject({ dryRun: true, professionals: { retired: 1 }, structures: { retired: 1 } });
    expect((await pros(['810100000004'])).rows[0]).toMatchObject({ active: true });
  });

  it('PAT-04: a file of which no line is usable, or without the header, is refused whole and the directory is left as it was', async () => {
    const onlyBad = [header, line(7), line(8)];
    expect(await refusal(w.services.directory.loadExtract(SYSTEM, onlyBad))).toEqual({
      code: 'business_rule',
      message: 'no line of the file was accepted (2 refused): the directory is left as it was',
    });
    expect(await refusal(w.services.directory.loadExtract(SYSTEM, SAMPLE.slice(1)))).toMatchObject({
      code: 'invalid_metadata',
      message: expect.stringMatching(/^line 1 is not the header of a directory extraction/),
    });
    expect(await refusal(w.services.directory.loadExtract(SYSTEM, []))).toMatchObject({ code: 'invalid_metadata', message: expect.stringMatching(/empty/) });
    expect((await pros(['810100000001', '810100000003'])).rows.every((p) => p.active)).toBe(true);
  });

  it('ACC-08: a line naming an unknown profession is refused, so no unknown profession enters the directory', async () => {
    expect((await pros(['810100000006'])).total).toBe(0);
  });

  it('PAT-04: only operators load the directory', async () => {
    expect(await refusal(w.services.directory.loadExtract(as(proActor('doctor')), SAMPLE))).toEqual({ code: 'forbidden', message: 'only operators feed the directory' });
    expect(await refusal(w.services.directory.loadExtract(as({ kind: 'patient', patientKey: '00000000-0000-4000-8000-000000000000' }), SAMPLE))).toMatchObject({ code: 'forbidden' });
  });

  it('ACC-05: operators mark a structure as a medical regulation centre; a load keeps the mark; a retired centre no longer counts', async () => {
    const samu = '1750000029';
    expect(await w.services.directory.isRegulationCentre(samu)).toBe(false);
    await w.services.directory.setRegulationCentre(SYSTEM, samu, true);
    expect(await w.services.directory.isRegulationCentre(samu)).toBe(true);
    await w.services.directory.loadExtract(SYSTEM, SAMPLE);
    // the world's own centre (seeded by hand, not by the load) and the one just marked
    expect(await w.services.directory.regulationCentres()).toEqual([
      { structure_id: REGULATION_CENTRE, name: 'SAMU – Centre 15', active: true },
      { structure_id: samu, name: 'SAMU DE PARIS - CENTRE 15', active: true },
    ]);
    // The extraction no longer lists it: retired, it no longer makes anyone a regulator.
    await w.services.directory.loadExtract(SYSTEM, edited({ 6: null }));
    expect(await w.services.directory.isRegulationCentre(samu)).toBe(false);
    await w.services.directory.loadExtract(SYSTEM, SAMPLE);
    expect(await w.services.directory.isRegulationCentre(samu)).toBe(true);

    await w.services.directory.setRegulationCentre(SYSTEM, samu, false);
    expect(await w.services.directory.isRegulationCentre(samu)).toBe(false);
    expect(await refusal(w.services.directory.setRegulationCentre(SYSTEM, '1999999999', true))).toEqual({ code: 'not_found', message: 'no structure 1999999999 in the directory' });
    expect(await refusal(w.services.directory.setRegulationCentre(as(proActor('regulator')), samu, true))).toMatchObject({ code: 'forbidden' });
    const trace = await db().query<{ target_id: string; details: { regulationCentre: boolean } }>("SELECT target_id, details FROM access_trace WHERE action = 'directory.regulation_centre' ORDER BY occurred_at, seq");
    expect(trace.rows.filter((r) => r.target_id === samu).map((r) => r.details.regulationCentre)).toEqual([true, false]);
  });
});
