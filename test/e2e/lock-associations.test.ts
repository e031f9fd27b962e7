// The lock against a caller holding ids (ACC-08, ACC-09, DOC-02, DOC-05): a document hidden from
// the caller is reached by no path through the objects around it — its associations (their own
// entryUUIDs), the submission sets and folders that hold it, the relations of visible documents
// to it. Each path names the hidden objects one by one and compares the answer with the answer to
// an id the registry never held, word for word; where a path lists, the hidden objects are absent.
// On a real port, XDS.b (ITI-41, ITI-57, ITI-18) and FHIR (ITI-65, ITI-66, ITI-67, PATCH).
//
// The world: the author deposits H (then masked by the patient: the author's and the médecin
// traitant's only, MASK-01) with a folder F holding it (submission set A), and V (visible), which
// appends to H (submission set B); then links H's masked version into F by ITI-57 (the link L,
// held by that request's submission set U). The attackers: an authorised colleague (H is masked
// from them), a professional the patient never authorised, who may still deposit (DOC-02), and one
// the patient blocked (ACC-03).
import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from '@jest/globals';
import type { Bundle, List } from '@medplum/fhirtypes';
import type { ProfessionalActor } from '../../src/domain/actor.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import type { SubmissionRequest } from '../../src/domain/submission.js';
import type { Services } from '../../src/services/index.js';
import { writeDocumentEntry } from '../../src/xds/ebrim/write.js';
import { STORED_QUERY_IDS as Q } from '../../src/xds/query/params.js';
import type { RunningApp } from '../support/app.js';
import { associationEnds, describeEachLockServer, type Answer, type LockClients } from '../support/lock-clients.js';
import { adultRecordAllowing } from '../support/lock-records.js';
import { ASSOCIATION, associationBetween, bare, ITI_ASSOCIATION, registryUpdate, registryWords, sameWords, statusChange, urn } from '../support/lock-xds.js';
import { provideBundle } from '../support/mhd-bundle.js';
import { as, entryMetadata, patientCaller, proActor, submission, uid } from '../support/world.js';
import { cx, postSoap, provideAndRegister, queryObjects, responseStatus, vihfFor, XDS_ACTIONS, type XdsAnswer } from '../support/xds-client.js';

const A = XDS_ACTIONS;
const EVERY_STATUS = `('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved','urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated','urn:asip:ci-sis:2010:StatusType:Archived','urn:asip:ci-sis:2010:StatusType:Deleted')`;

describeEachLockServer('ACC-08 / ACC-09: a hidden document is reached by no association, submission set or folder around it', (lock) => {
  const db = () => lock().db;
  let server: RunningApp;
  let services: Services;
  let c: LockClients;
  const author = proActor('doctor');
  /** authorised; H is masked from them */
  const colleague = proActor('doctor2');
  /** never authorised by the patient: reads nothing, may still deposit (DOC-02) */
  const stranger = proActor('dentist', { profession: '10', specialty: 'SM26' });
  /** blocked by the patient (ACC-03): refused everything */
  const blocked = proActor('pharmacist');
  const attackers = { colleague, stranger, blocked };
  let ins: PatientIdentifier;
  let patientKey: string;
  /** entryUUIDs, urn:uuid: form */
  const id: Record<string, string> = {};
  /** the objects the colleague must not reach, by name: H's versions, its associations, the sets that only hold them */
  const hidden: Record<string, string> = {};

  const associationOf = (source: string, target: string, type = 'HasMember', record = patientKey) => associationBetween(db(), record, source, target, type);

  beforeAll(async () => {
    ({ server, c } = lock());
    services = server.app.services;
    ({ ins, patientKey } = await adultRecordAllowing(services, [author, colleague], [blocked]));
    const patient = patientCaller(patientKey);

    // A: H in the folder F
    const a = submission(ins, [{ authorId: author.idNatPs, authorStructure: author.structureId, content: `H ${uid()}` }]);
    a.folders = [{ id: 'Folder01', metadata: { uniqueId: uid(), patientId: ins, codeList: [{ code: 'LOCK', system: '1.2.250.1.999.3' }] } }];
    a.associations.push({ id: 'ssF', type: 'HasMember', sourceId: 'SubmissionSet01', targetId: 'Folder01', submissionSetStatus: 'Original' });
    a.associations.push({ id: 'fH', type: 'HasMember', sourceId: 'Folder01', targetId: 'Document1' });
    const assignedA = (await services.submissions.submit(as(author), a)).assignedIds;
    id.H1 = assignedA.Document1!;
    id.F = assignedA.Folder01!;
    id.A = assignedA.SubmissionSet01!;
    // B: V appends to H
    const b = submission(ins, [{ authorId: author.idNatPs, authorStructure: author.structureId, content: `V ${uid()}` }]);
    b.associations.push({ id: 'apnd', type: 'APND', sourceId: 'Document1', targetId: id.H1 });
    const assignedB = (await services.submissions.submit(as(author), b)).assignedIds;
    id.V = assignedB.Document1!;
    id.B = assignedB.SubmissionSet01!;
    // MASK-01: the patient masks H (a new metadata version, MASK-05)
    id.H2 = (await services.metadata.setVisibility(patient, { entryUuid: id.H1 }, 'MASQUE_PS', true)).entryUuid;
    // ITI-57 by the author: H's masked version joins F (the link L, a member of the request's set U)
    const ss = submission(ins, []).submissionSet;
    const link = `urn:uuid:${randomUUID()}`;
    const u = await services.metadata.applyUpdate(as(author), {
      submissionSet: { ...ss, id: `urn:uuid:${randomUUID()}` },
      documents: [],
      folders: [],
      statusChanges: [],
      associations: [{ id: link, type: 'HasMember', sourceId: id.F, targetId: id.H2 }],
    });
    id.L = link;
    id.U = Object.values(u.assignedIds).find((x) => x !== link && x.startsWith('urn:uuid:'))!;

    hidden.H1 = id.H1;
    hidden.H2 = id.H2;
    hidden['A -> H1'] = await associationOf(id.A, id.H1);
    hidden['F -> H1'] = await associationOf(id.F, id.H1);
    hidden['V -> H1 (APND)'] = await associationOf(id.V, id.H1, 'APND');
    hidden['F -> H2 (ITI-57)'] = id.L;
    hidden['U -> L'] = await associationOf(id.U, id.L);
    // the submission sets that hold nothing the colleague sees but H (or a link to it)
    hidden['set A'] = id.A;
    hidden['set U'] = id.U;
    // the patient's masking is a new version of H, member of a submission set of its own
    const masking = await db().query<{ e: string }>(
      "SELECT a.source_uuid::text AS e FROM association a JOIN registry_object o ON o.entry_uuid = a.source_uuid AND o.object_type = 'SubmissionSet' WHERE a.patient_key = $1 AND a.target_uuid = $2",
      [patientKey, bare(id.H2)],
    );
    hidden['set M (the masking)'] = urn(masking.rows[0]!.e);
    hidden['M -> H2'] = await associationOf(masking.rows[0]!.e, id.H2);
  }, 120_000);

  const hiddenAssociations = () => Object.entries(hidden).filter(([name]) => name.includes('->'));
  const hiddenObjects = () => Object.entries(hidden);

  // ---- 1. an association's own id, a hidden document's, used as an end of a new association ----

  /** ITI-41 by `actor`: a new document of theirs, and `rel` from it (or from the set, or a new folder) to `target`. */
  async function provide(actor: ProfessionalActor, kind: string, target: string): Promise<string> {
    const sub: SubmissionRequest = submission(ins, [{ authorId: actor.idNatPs, authorStructure: actor.structureId }]);
    if (kind === 'HasMember folder') {
      sub.folders = [{ id: 'Folder01', metadata: { uniqueId: uid(), patientId: ins, codeList: [{ code: 'F', system: '1.2.250.1.999.7' }] } }];
      sub.associations.push({ id: 'ssf', type: 'HasMember', sourceId: 'SubmissionSet01', targetId: 'Folder01', submissionSetStatus: 'Original' });
      sub.associations.push({ id: 'rel', type: 'HasMember', sourceId: 'Folder01', targetId: target });
    } else if (kind === 'HasMember') sub.associations.push({ id: 'rel', type: 'HasMember', sourceId: 'SubmissionSet01', targetId: target, submissionSetStatus: 'Reference' });
    else if (kind === 'HasMember from') sub.associations.push({ id: 'rel', type: 'HasMember', sourceId: target, targetId: 'Document1' });
    else sub.associations.push({ id: 'rel', type: kind as 'RPLC', sourceId: 'Document1', targetId: target });
    const { body, attachments } = provideAndRegister(sub);
    const answer = await postSoap(`${server.baseUrl}/xds/repository`, A['ITI-41'], body, { assertion: vihfFor(actor), attachments });
    return registryWords(answer, target);
  }

  it('ACC-08 / ACC-09 / DOC-02: ITI-41, an association (every type, either end) naming a hidden document\'s association, or a set holding only it, answers word for word as an unknown id', async () => {
    const wrong: unknown[] = [];
    for (const [who, actor] of Object.entries(attackers)) {
      for (const kind of ['HasMember', 'HasMember folder', 'HasMember from', 'RPLC', 'APND', 'XFRM', 'XFRM_RPLC', 'signs']) {
        const unknown = await provide(actor, kind, `urn:uuid:${randomUUID()}`);
        expect(unknown.startsWith('Failure')).toBe(true);
        for (const [name, target] of hiddenObjects()) {
          const got = await provide(actor, kind, target);
          if (got !== unknown) wrong.push({ who, kind, name, got, unknown });
        }
      }
    }
    expect(wrong).toEqual([]);
    // nothing was written by the attempts
    const links = await db().query<{ n: number }>("SELECT count(*)::int AS n FROM association WHERE patient_key = $1 AND (target_uuid = ANY($2::uuid[]) OR source_uuid = ANY($2::uuid[])) AND type <> 'HasMember'", [
      patientKey,
      hiddenAssociations().map(([, x]) => bare(x)),
    ]);
    expect(links.rows[0]!.n).toBe(0);
  }, 240_000);

  it('ACC-08 / ACC-09: ITI-65, relatesTo and a SubmissionSet List entry naming a hidden document\'s association answer word for word as an unknown id', async () => {
    const send = async (how: 'relatesTo' | 'member', target: string) => {
      const bundle = provideBundle({ patient: `Patient/${patientKey}`, docs: [{ author: { idNatPs: colleague.idNatPs, family: 'Petit', given: 'Bruno' }, ...(how === 'relatesTo' ? { replaces: target } : {}) }] });
      if (how === 'member') (bundle.entry![0]!.resource as List).entry!.push({ item: { reference: `DocumentReference/${target}` } });
      const res = await c.fhir(colleague, `${server.baseUrl}/fhir`, { method: 'POST', body: bundle });
      return `${res.status} ${sameWords(res.body.toString(), target)}`;
    };
    const wrong: unknown[] = [];
    for (const how of ['relatesTo', 'member'] as const) {
      const unknown = await send(how, randomUUID());
      expect(unknown.startsWith('4')).toBe(true);
      for (const [name, target] of hiddenObjects()) {
        const got = await send(how, bare(target));
        if (got !== unknown) wrong.push({ how, name, got, unknown });
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  /** An ITI-57 request of `actor` holding these raw associations (ids chosen here). */
  async function update(actor: ProfessionalActor, associations: string, asked: string): Promise<string> {
    const answer = await postSoap(`${server.baseUrl}/xds/registry`, A['ITI-57'], registryUpdate(ins, associations), { assertion: vihfFor(actor) });
    return registryWords(answer, asked);
  }
  const submitted = (type: string, source: string, target: string) => {
    const a = `urn:uuid:${randomUUID()}`;
    return (
      `<rim:Association id="${a}" associationType="${type.startsWith('urn:') ? type : type === 'HasMember' ? ASSOCIATION + type : `urn:ihe:iti:2007:AssociationType:${type}`}" sourceObject="${source}" targetObject="${target}"/>` +
      `<rim:Association id="urn:uuid:${randomUUID()}" associationType="${ITI_ASSOCIATION}SubmitAssociation" sourceObject="$SS" targetObject="${a}"/>`
    );
  };

  /** ITI-57: a new DocumentEntry version whose logical id is `logicalId` (its HasMember says PreviousVersion 1). */
  const newVersion = (logicalId: string) => {
    const v = `urn:uuid:${randomUUID()}`;
    const md = { ...entryMetadata(ins, { authorId: author.idNatPs, authorStructure: author.structureId }), logicalId, entryUuid: v };
    return (
      writeDocumentEntry(md, v) +
      `<rim:Association id="urn:uuid:${randomUUID()}" associationType="${ASSOCIATION}HasMember" sourceObject="$SS" targetObject="${v}">` +
      `<rim:Slot name="SubmissionSetStatus"><rim:ValueList><rim:Value>Original</rim:Value></rim:ValueList></rim:Slot>` +
      `<rim:Slot name="PreviousVersion"><rim:ValueList><rim:Value>1</rim:Value></rim:ValueList></rim:Slot></rim:Association>`
    );
  };

  it('ACC-08 / ACC-09: ITI-57, SubmitAssociation to or from a hidden document\'s association, a status change of one, and a new version naming one as its logical id answer word for word as an unknown id', async () => {
    const shapes: Record<string, (x: string) => string> = {
      'HasMember F -> x': (x) => submitted('HasMember', id.F, x),
      'APND V -> x': (x) => submitted('APND', id.V, x),
      'signs x -> V': (x) => submitted('signs', x, id.V),
      'status of x': (x) => statusChange(x),
      'status of x, Deprecated -> Approved': (x) => statusChange(x, 'Deprecated', 'Approved'),
      'a new version of x': (x) => newVersion(x),
    };
    const wrong: unknown[] = [];
    for (const [who, actor] of Object.entries(attackers)) {
      for (const [shape, make] of Object.entries(shapes)) {
        const u = `urn:uuid:${randomUUID()}`;
        const unknown = await update(actor, make(u), u);
        expect(unknown.startsWith('Failure')).toBe(true);
        for (const [name, x] of hiddenObjects()) {
          const got = await update(actor, make(x), x);
          if (got !== unknown) wrong.push({ who, shape, name, got, unknown });
        }
      }
    }
    expect(wrong).toEqual([]);
    // the link L is still there, Approved: no attempt changed it
    const l = await db().query<{ status: string }>('SELECT status FROM association WHERE entry_uuid = $1', [bare(id.L)]);
    expect(l.rows).toEqual([{ status: 'Approved' }]);
  }, 240_000);

  it("ACC-08 / ACC-10: another patient's document, and its association, in a record the caller may not read, named by ITI-41 or ITI-57 on the caller's patient answer word for word as an unknown id, not as another patient's", async () => {
    // a second record, where only the author is authorised
    const other = await adultRecordAllowing(services, [author]);
    const theirs = (await services.submissions.submit(as(author), submission(other.ins, [{ authorId: author.idNatPs, authorStructure: author.structureId }]))).assignedIds;
    const elsewhere = { 'their document': theirs.Document1!, 'its association': await associationOf(theirs.SubmissionSet01!, theirs.Document1!, 'HasMember', other.patientKey) };
    const wrong: unknown[] = [];
    for (const [who, actor] of Object.entries({ colleague, stranger })) {
      for (const kind of ['HasMember', 'APND', 'RPLC']) {
        const unknown = await provide(actor, kind, `urn:uuid:${randomUUID()}`);
        for (const [name, x] of Object.entries(elsewhere)) {
          const got = await provide(actor, kind, x);
          if (got !== unknown) wrong.push({ door: 'ITI-41', who, kind, name, got, unknown });
        }
      }
      for (const [shape, make] of Object.entries({ 'APND V -> x': (x: string) => submitted('APND', id.V, x), 'status of x': (x: string) => statusChange(x) })) {
        const u = `urn:uuid:${randomUUID()}`;
        const unknown = await update(actor, make(u), u);
        for (const [name, x] of Object.entries(elsewhere)) {
          const got = await update(actor, make(x), x);
          if (got !== unknown) wrong.push({ door: 'ITI-57', who, shape, name, got, unknown });
        }
      }
    }
    expect(wrong).toEqual([]);
    // the author, who reads both records, is told the objects are another patient's
    expect(await provide(author, 'APND', elsewhere['their document'])).toContain('different patients');
  }, 240_000);

  // ---- 2. ITI-18 ----

  const query = (queryId: string, slots: Record<string, string>, actor: ProfessionalActor = colleague): Promise<XdsAnswer> => c.query(actor, ins, queryId, slots);
  const listed = (a: XdsAnswer) => ({ status: responseStatus(a), ...queryObjects(a), ends: associationEnds(a) });
  /** no hidden object anywhere in the answer's text */
  const named = (a: XdsAnswer) => hiddenObjects().filter(([, x]) => a.xml.toLowerCase().includes(bare(x)));

  it('ACC-08 / ACC-09: ITI-18 by the id of each hidden document, association or set (GetAssociations, GetDocumentsAndAssociations, GetRelatedDocuments, GetSubmissionSets, GetSubmissionSetAndContents, GetFolderAndContents, GetFoldersForDocument, GetDocuments, GetFolders) answers as for an unknown id', async () => {
    const byId: Array<[string, (x: string) => Record<string, string>]> = [
      [Q.GetAssociations, (x) => ({ $uuid: `('${x}')` })],
      [Q.GetDocumentsAndAssociations, (x) => ({ $XDSDocumentEntryEntryUUID: `('${x}')` })],
      [Q.GetDocuments, (x) => ({ $XDSDocumentEntryEntryUUID: `('${x}')` })],
      [Q.GetRelatedDocuments, (x) => ({ $XDSDocumentEntryEntryUUID: `'${x}'`, $AssociationTypes: "('urn:ihe:iti:2007:AssociationType:APND','urn:ihe:iti:2007:AssociationType:RPLC')" })],
      [Q.GetSubmissionSets, (x) => ({ $uuid: `('${x}')` })],
      [Q.GetSubmissionSetAndContents, (x) => ({ $XDSSubmissionSetEntryUUID: `'${x}'` })],
      [Q.GetFolderAndContents, (x) => ({ $XDSFolderEntryUUID: `'${x}'` })],
      [Q.GetFoldersForDocument, (x) => ({ $XDSDocumentEntryEntryUUID: `'${x}'` })],
      [Q.GetFolders, (x) => ({ $XDSFolderEntryUUID: `('${x}')` })],
    ];
    const wrong: unknown[] = [];
    for (const [queryId, slots] of byId) {
      const u = `urn:uuid:${randomUUID()}`;
      const unknown = sameWords((await query(queryId, slots(u))).xml.replace(/<soap:Header>.*<\/soap:Header>|<env:Header>.*<\/env:Header>/s, ''), u);
      for (const [name, x] of hiddenObjects()) {
        const got = sameWords((await query(queryId, slots(x))).xml.replace(/<soap:Header>.*<\/soap:Header>|<env:Header>.*<\/env:Header>/s, ''), x);
        if (got !== unknown) wrong.push({ queryId, name, got: got.slice(0, 600), unknown: unknown.slice(0, 600) });
      }
    }
    expect(wrong).toEqual([]);
  }, 240_000);

  it('ACC-08 / ACC-09: ITI-18 from the visible side (V, the folder F, the set B, the patient) lists nothing of H: no association, no member, no set that only holds it', async () => {
    const asked: Array<[string, string, Record<string, string>]> = [
      ['GetAssociations V, F, B', Q.GetAssociations, { $uuid: `('${id.V}','${id.F}','${id.B}')` }],
      ['GetDocumentsAndAssociations V', Q.GetDocumentsAndAssociations, { $XDSDocumentEntryEntryUUID: `('${id.V}')` }],
      ['GetRelatedDocuments V', Q.GetRelatedDocuments, { $XDSDocumentEntryEntryUUID: `'${id.V}'`, $AssociationTypes: "('urn:ihe:iti:2007:AssociationType:APND')" }],
      ['GetSubmissionSets V, F', Q.GetSubmissionSets, { $uuid: `('${id.V}','${id.F}')` }],
      ['GetSubmissionSetAndContents B', Q.GetSubmissionSetAndContents, { $XDSSubmissionSetEntryUUID: `'${id.B}'` }],
      ['GetFolderAndContents F', Q.GetFolderAndContents, { $XDSFolderEntryUUID: `'${id.F}'` }],
      ['GetFoldersForDocument V', Q.GetFoldersForDocument, { $XDSDocumentEntryEntryUUID: `'${id.V}'` }],
      ['GetFolders F', Q.GetFolders, { $XDSFolderEntryUUID: `('${id.F}')` }],
      ['FindSubmissionSets', Q.FindSubmissionSets, { $XDSSubmissionSetPatientId: cx(ins), $XDSSubmissionSetStatus: EVERY_STATUS }],
      ['FindFolders', Q.FindFolders, { $XDSFolderPatientId: cx(ins), $XDSFolderStatus: EVERY_STATUS }],
      [
        'GetAll',
        Q.GetAll,
        { $patientId: cx(ins), $XDSDocumentEntryStatus: EVERY_STATUS, $XDSSubmissionSetStatus: EVERY_STATUS, $XDSFolderStatus: EVERY_STATUS },
      ],
    ];
    const wrong: unknown[] = [];
    for (const [name, queryId, slots] of asked) {
      const a = await query(queryId, slots);
      expect({ name, status: responseStatus(a) }).toEqual({ name, status: 'Success' });
      if (named(a).length) wrong.push({ name, names: named(a).map(([n]) => n), got: listed(a) });
    }
    expect(wrong).toEqual([]);
    // the visible side is there (the comparison is not vacuous)
    const all = queryObjects(await query(Q.GetAll, asked.at(-1)![2]));
    expect({ documents: all.documents.map(bare), sets: all.submissionSets.map(bare), folders: all.folders.map(bare) }).toEqual({ documents: [bare(id.V)], sets: [bare(id.B)], folders: [bare(id.F)] });
    // and the author, who sees H, gets it by the same queries
    const byAuthor = await query(Q.GetAll, asked.at(-1)![2], author);
    expect(named(byAuthor).map(([n]) => n).sort()).toEqual(Object.keys(hidden).sort());
  }, 120_000);

  // ---- 3, 4. FHIR ----

  const neutral = (a: Answer, asked: string) => `${a.status} ${sameWords(a.body.toString(), asked)}`;

  it('ACC-08 / ACC-09: FHIR read, vread, PATCH of each hidden document, association or set id (DocumentReference, Binary, List) answer as an unknown id', async () => {
    const paths: Array<[string, (x: string) => [string, { method?: string; body?: unknown; accept?: string; contentType?: string }?]]> = [
      ['read DocumentReference', (x) => [`DocumentReference/${x}`]],
      ['vread DocumentReference', (x) => [`DocumentReference/${x}/_history/1`]],
      ['vread DocumentReference 2', (x) => [`DocumentReference/${x}/_history/2`]],
      ['Binary', (x) => [`Binary/${x}`, { accept: '*/*' }]],
      ['read List', (x) => [`List/${x}`]],
      ['vread List', (x) => [`List/${x}/_history/1`]],
      ['PATCH', (x) => [`DocumentReference/${x}`, { method: 'PATCH', contentType: 'application/json-patch+json', body: [{ op: 'replace', path: '/status', value: 'entered-in-error' }] }]],
      ['conditional PATCH', (x) => [`DocumentReference?identifier=urn:uuid:${x}`, { method: 'PATCH', contentType: 'application/json-patch+json', body: [{ op: 'replace', path: '/status', value: 'entered-in-error' }] }]],
    ];
    const wrong: unknown[] = [];
    for (const [what, make] of paths) {
      const u = randomUUID();
      const [p, init] = make(u);
      const unknown = neutral(await c.fhir(colleague, p, init), u);
      for (const [name, x] of hiddenObjects()) {
        const [q, i] = make(bare(x));
        const got = neutral(await c.fhir(colleague, q, i), x);
        if (got !== unknown) wrong.push({ what, name, got: got.slice(0, 400), unknown: unknown.slice(0, 400) });
      }
    }
    expect(wrong).toEqual([]);
    // H untouched
    expect((await services.documents.read(patientCaller(patientKey), { entryUuid: id.H2 })).availabilityStatus).toBe('Approved');
  }, 240_000);

  it('ACC-08: ITI-66 Lists, ITI-67 searches (with _total, _summary=count, _include, _revinclude, _elements) and relatesTo name nothing of H, count nothing of it', async () => {
    const searches = [
      `List?patient=Patient/${patientKey}&_count=100`,
      `List?patient=Patient/${patientKey}&_summary=count`,
      `List?patient=Patient/${patientKey}&code=submissionset&_total=accurate`,
      `DocumentReference?patient=Patient/${patientKey}&_total=accurate`,
      `DocumentReference?patient=Patient/${patientKey}&_summary=count`,
      `DocumentReference?patient=Patient/${patientKey}&status=current,superseded,entered-in-error&_total=accurate`,
      `DocumentReference?patient=Patient/${patientKey}&_include=DocumentReference:relatesto`,
      `DocumentReference?patient=Patient/${patientKey}&_revinclude=DocumentReference:relatesto`,
      `DocumentReference?patient=Patient/${patientKey}&_revinclude=List:item`,
      `DocumentReference?patient=Patient/${patientKey}&_elements=relatesTo`,
      `DocumentReference/${bare(id.V)}`,
    ];
    // searches naming a hidden id: the answer of the same search naming an unknown one (the search's own link echoes the id)
    const naming: Array<[string, (x: string) => string]> = [
      ['H2', (x) => `DocumentReference?_id=${x}`],
      ['H2', (x) => `DocumentReference?patient=Patient/${patientKey}&identifier=urn:uuid:${x}`],
      ['H1', (x) => `DocumentReference?patient=Patient/${patientKey}&identifier=urn:uuid:${x}`],
      ['H1', (x) => `DocumentReference?patient=Patient/${patientKey}&relatesto=DocumentReference/${x}`],
      ['set A', (x) => `List?_id=${x}`],
      ['set U', (x) => `List?patient=Patient/${patientKey}&identifier=urn:uuid:${x}`],
    ];
    const wrong: unknown[] = [];
    for (const [name, make] of naming) {
      const u = randomUUID();
      const x = bare(hidden[name]!);
      const [got, unknown] = [neutral(await c.fhir(colleague, make(x)), x), neutral(await c.fhir(colleague, make(u)), u)];
      if (got !== unknown) wrong.push({ name, s: make('<id>'), got: got.slice(0, 300), unknown: unknown.slice(0, 300) });
    }
    for (const s of searches) {
      const res = await c.fhir(colleague, s);
      const text = res.body.toString().toLowerCase();
      const names = hiddenObjects().filter(([, x]) => text.includes(bare(x))).map(([n]) => n);
      if (names.length) wrong.push({ s, names });
      // the total counts what the author's total counts but the hidden objects the author's page holds
      const b = res.json as Bundle | undefined;
      if (res.status === 200 && b?.resourceType === 'Bundle' && b.total !== undefined) {
        const theirs = (await c.fhir(author, s)).json as Bundle;
        const hiddenIds = new Set(hiddenObjects().map(([, x]) => bare(x)));
        const hiddenShown = (theirs.entry ?? []).filter((e) => hiddenIds.has(e.resource?.id ?? '')).length;
        if (theirs.total! - b.total !== hiddenShown) wrong.push({ s, total: b.total, author: theirs.total, hiddenShown });
      }
    }
    expect(wrong).toEqual([]);
    // the author sees H where the colleague does not (not vacuous)
    const mine = await c.fhir(author, `DocumentReference?patient=Patient/${patientKey}&_total=accurate`);
    expect((mine.json as Bundle).total).toBe(2);
  }, 120_000);
});
