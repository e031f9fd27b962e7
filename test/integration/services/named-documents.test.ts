// ACC-09 on the paths that take document ids as input: `$download`'s chosen documents and a
// personal selection's members read an id as FHIR read does — the entryUUID of one metadata
// version, current or old — and find it exactly when the reader may read that version under the
// lineage rule; a version hidden from the reader answers as an unknown id. The documents:
//   - `masked`: deposited, masked by the patient, unmasked (three versions the patient reads);
//   - `announced`: deposited, hidden from the patient by the author, then shown to her at the
//     announcement consultation (its middle version stays hidden from her: its own flags);
//   - `hidden`: deposited, then hidden from the patient (every version hidden: the lineage);
//   - `replaced`: replaced (RPLC) by `replacement`, both readable.
import { beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Caller } from '../../../src/services/deps.js';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../../support/world.js';

type Name = 'masked' | 'announced' | 'hidden' | 'replaced' | 'replacement';

describeEachStore('ACC-09: ids given as input ($download, selections) name versions as FHIR read does', (db) => {
  let w: World;
  let patientKey: string;
  let patient: Caller;
  /** entryUUIDs (bare) of each document's versions, oldest first */
  const versions = {} as Record<Name, string[]>;
  const author = proActor('doctor');

  beforeAll(async () => {
    w = await makeWorld(db());
    const record = await adultRecord(w);
    patientKey = record.patientKey;
    patient = patientCaller(patientKey);
    await w.services.consent.addGrant(patient, patientKey, { subjectKind: 'professional', subjectId: author.idNatPs, effect: 'permit' });
    const byAuthor = { authorId: author.idNatPs, authorStructure: author.structureId };
    const sub = submission(record.ins, ['masked', 'announced', 'hidden', 'replaced'].map((n) => ({ ...byAuthor, content: `${n} ${randomUUID()}` })));
    const ids = (await w.services.submissions.submit(as(author), sub)).assignedIds;
    const first = (i: number) => ids[`Document${i}`]!;
    const flag = async (caller: Caller, entryUuid: string, f: 'MASQUE_PS' | 'INVISIBLE_PATIENT', on: boolean) =>
      (await w.services.metadata.setVisibility(caller, { entryUuid }, f, on)).entryUuid;
    const masked = [first(1)];
    masked.push(await flag(patient, masked[0]!, 'MASQUE_PS', true));
    masked.push(await flag(patient, masked[1]!, 'MASQUE_PS', false));
    const announced = [first(2)];
    announced.push(await flag(as(author), announced[0]!, 'INVISIBLE_PATIENT', true));
    announced.push(await flag(as(author), announced[1]!, 'INVISIBLE_PATIENT', false));
    const hidden = [first(3)];
    hidden.push(await flag(as(author), hidden[0]!, 'INVISIBLE_PATIENT', true));
    const rplc = submission(record.ins, [{ ...byAuthor, content: `replacement ${randomUUID()}` }]);
    rplc.associations.push({ id: 'rplc', type: 'RPLC', sourceId: 'Document1', targetId: first(4) });
    const replacement = (await w.services.submissions.submit(as(author), rplc)).assignedIds.Document1!;
    const bare = (l: string[]) => l.map((id) => id.slice(9));
    Object.assign(versions, { masked: bare(masked), announced: bare(announced), hidden: bare(hidden), replaced: bare([first(4)]), replacement: bare([replacement]) });
  }, 60_000);

  /** What FHIR read answers the patient for each version: the versions she may read. */
  async function readable(): Promise<{ seen: string[]; unseen: string[] }> {
    const seen: string[] = [];
    const unseen: string[] = [];
    for (const id of Object.values(versions).flat()) {
      const ok = await w.services.documents.read(patient, { entryUuid: `urn:uuid:${id}` }).then(() => true, () => false);
      (ok ? seen : unseen).push(id);
    }
    return { seen, unseen };
  }

  const failure = (p: Promise<unknown>) => p.then(() => null, (e: Error & { code?: string }) => ({ code: e.code, message: e.message }));
  const asUnknown = (id: string) => ({ code: 'not_found', message: `no such document: ${id}` });

  it('ACC-09: the versions FHIR read opens to the patient are the old and middle ones of what she sees, never a version hidden on its own or by its lineage', async () => {
    const { seen, unseen } = await readable();
    expect(unseen.sort()).toEqual([versions.announced[1], ...versions.hidden].sort());
    expect(seen).toHaveLength(7);
  });

  it('ACC-09: $download with chosen ids puts each version named in the archive, old or current, and a hidden one answers as an unknown id', async () => {
    const { seen, unseen } = await readable();
    const opened = await w.services.exports.open(patient, patientKey, { parts: ['documents'], documentIds: seen });
    const inArchive = [...new Set(opened.entries.filter((e) => e.name.startsWith('documents/') && e.name.endsWith('.metadata.json')).map((e) => e.name.slice(10, 46)))];
    expect(inArchive.sort()).toEqual([...seen].sort());
    // the old version is the old one: its metadata says MASQUE_PS where the current one does not
    const middle = opened.entries.find((e) => e.name === `documents/${versions.masked[1]}.metadata.json`)!;
    let text = '';
    for await (const chunk of middle.data()) text += chunk.toString();
    expect((JSON.parse(text) as { confidentialityCodes: Array<{ code: string }> }).confidentialityCodes.map((c) => c.code)).toContain('MASQUE_PS');
    for (const id of [...unseen, randomUUID()]) {
      expect(await failure(w.services.exports.open(patient, patientKey, { parts: ['documents'], documentIds: [versions.masked[0]!, id] }))).toEqual(asUnknown(id));
    }
  });

  it('ACC-09: a personal selection takes any version the patient reads as its document, and a hidden one answers as an unknown id', async () => {
    const { seen, unseen } = await readable();
    for (const id of seen) {
      const selectionId = await w.services.selections.save(patient, patientKey, { name: `one ${id}`, logicalIds: [id] });
      const kept = (await w.services.selections.view(patient, patientKey)).find((s) => s.selection_id === selectionId)!;
      const doc = (Object.keys(versions) as Name[]).find((n) => versions[n].includes(id))!;
      // shown at the document's current version
      expect({ id, members: kept.members.map((m) => m.entryUuid.slice(9)) }).toEqual({ id, members: [versions[doc].at(-1)] });
    }
    for (const id of [...unseen, randomUUID()]) {
      expect(await failure(w.services.selections.save(patient, patientKey, { name: 'hidden', logicalIds: [versions.masked[0]!, id] }))).toEqual(asUnknown(id));
    }
  });
});
