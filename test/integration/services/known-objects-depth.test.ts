// ACC-08: the record around the ids asked about is read a few rounds deep (store/registry-graph.ts);
// a chain of associations deeper than that, at whose end is a hidden document, must not be taken as
// known because its end was left unread: every link of it answers as an unknown id.
import { beforeAll, expect, it } from '@jest/globals';
import { loadRegistryGraph } from '../../../src/store/registry-graph.js';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../../support/world.js';

describeEachStore('ACC-08: a chain of associations deeper than the rounds the registry is read in', (db) => {
  let w: World;
  const author = proActor('doctor');
  const colleague = proActor('doctor2');
  const chain: string[] = [];
  /** the deposit that could not name the chain's last link */
  let refused: string | undefined;
  let record: string;

  beforeAll(async () => {
    w = await makeWorld(db());
    const { ins, patientKey } = await adultRecord(w);
    record = patientKey;
    const patient = patientCaller(patientKey);
    for (const p of [author, colleague]) await w.services.consent.addGrant(patient, patientKey, { subjectKind: 'professional', subjectId: p.idNatPs, effect: 'permit' });
    const h = (await w.services.submissions.submit(as(author), submission(ins, [{ authorId: author.idNatPs, authorStructure: author.structureId }]))).assignedIds.Document1!;
    const linkTo = async (target: string) =>
      `urn:uuid:${(await db().query<{ e: string }>('SELECT entry_uuid::text AS e FROM association WHERE patient_key = $1 AND target_uuid = $2', [patientKey, target.slice(9)])).rows[0]!.e}`;
    chain.push(await linkTo(h));
    // each deposit's submission set holds a visible document of its own, and the link before
    for (let k = 1; k <= 12; k++) {
      const sub = submission(ins, [{ authorId: author.idNatPs, authorStructure: author.structureId }]);
      sub.associations.push({ id: 'prev', type: 'HasMember', sourceId: 'SubmissionSet01', targetId: chain.at(-1)!, submissionSetStatus: 'Reference' });
      try {
        await w.services.submissions.submit(as(author), sub);
      } catch (e) {
        refused = (e as Error).message;
        break;
      }
      chain.push(await linkTo(chain.at(-1)!));
    }
    // MASK-01: H masked from the colleague
    await w.services.metadata.setVisibility(patient, { entryUuid: h }, 'MASQUE_PS', true);
  }, 120_000);

  it('ACC-08: a chain of links grows no deeper than the registry is read: its last link answers as an unknown id to its author too; GetAssociations of each link of a chain ending at a masked document lists no link for the colleague', async () => {
    expect(chain.length).toBeLessThan(13);
    expect(refused).toBe(`association prev refers to ${chain.at(-1)}, which is not in the registry`);
    const shown = async (who: typeof author, uuid: string) => (await w.services.registryQueries.run(as(who), { kind: 'GetAssociations', uuids: [uuid] })).associations.length;
    const toColleague: number[] = [];
    const toAuthor: number[] = [];
    for (const a of chain) {
      toColleague.push(await shown(colleague, a));
      toAuthor.push(await shown(author, a));
    }
    expect(toColleague).toEqual(chain.map(() => 0));
    // GetAssociations of a link lists the next one: the author is shown every link but the last,
    // whose end is read only past the rounds (and nothing links to the last)
    expect(toAuthor).toEqual(chain.map((_, i) => (i < chain.length - 2 ? 1 : 0)));
  }, 120_000);

  it('ACC-08: the graph reads an id named bare as one named urn:uuid: (a bare id is not left undecided, that is known)', async () => {
    const bare = chain[0]!.slice(9);
    for (const asked of [chain[0]!, bare, bare.toUpperCase()]) {
      const g = await loadRegistryGraph(db(), record, [asked]);
      expect([asked, g.kindOf(chain[0]!), g.endsOf(chain[0]!)?.length]).toEqual([asked, 'Association', 2]);
    }
  });
});
