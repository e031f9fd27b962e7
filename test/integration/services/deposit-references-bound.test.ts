// A deposit (ITI-41, ITI-65) whose associations name registered objects decides, inside its
// locked transaction, whether the caller knows each one, record by record (ACC-08, ACC-09): a
// few statements for every other record named. The number of registered objects one submission
// may name is bounded (MAX_REGISTERED_REFERENCES), by its text alone: refused before the
// database is asked anything, whatever the ids are (held, hidden or never held), so that the
// bound tells nothing of them.
import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from '@jest/globals';
import { MAX_REGISTERED_REFERENCES } from '../../../src/domain/submission.js';
import type { SubmittedAssociation } from '../../../src/domain/submission.js';
import { countedDb } from '../../support/counted-db.js';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, as, makeWorld, proActor, submission, type World } from '../../support/world.js';

describeEachStore('DOC-05, ACC-08: a deposit names at most MAX_REGISTERED_REFERENCES registered objects', (db) => {
  let w: World;
  let counted: ReturnType<typeof countedDb>;
  beforeAll(async () => {
    counted = countedDb(db());
    w = await makeWorld(counted.db);
  });
  const doctor = as(proActor('doctor'));

  /** a folder of the submission holding `n` registered objects, each named once (random ids: none held) */
  const naming = (ins: Parameters<typeof submission>[0], n: number) => {
    const sub = submission(ins, [{}]);
    const links: SubmittedAssociation[] = Array.from({ length: n }, (_, i) => ({ id: `ref${i}`, type: 'HasMember', sourceId: 'Document1', targetId: `urn:uuid:${randomUUID()}` }));
    // the same id named twice, in another case, counts once
    links.push({ id: 'again', type: 'HasMember', sourceId: 'Document1', targetId: links[0]!.targetId.toUpperCase().replace('URN:UUID:', 'urn:uuid:') });
    return { ...sub, associations: [...sub.associations, ...links] };
  };

  it('DOC-05, ACC-08: one more than the bound is refused (too_costly) before any statement, naming the bound', async () => {
    const { ins } = await adultRecord(w);
    counted.sent.length = 0;
    const err = await w.services.submissions.submit(doctor, naming(ins, MAX_REGISTERED_REFERENCES + 1)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'too_costly', message: `the submission's associations name ${MAX_REGISTERED_REFERENCES + 1} registered objects: at most ${MAX_REGISTERED_REFERENCES}` });
    expect(counted.sent).toEqual([]);
  });

  it('DOC-05, ACC-08: at the bound, each id is answered as before (not in the registry)', async () => {
    const { ins } = await adultRecord(w);
    const err = await w.services.submissions.submit(doctor, naming(ins, MAX_REGISTERED_REFERENCES)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_metadata' });
    expect((err as Error).message).toMatch(/which is not in the registry/);
  });
});
