// The lock on every path (ACC-03, ACC-08, ACC-09, TRACE-05): every actor x every member of a
// lineage (current version, old version, replaced predecessor, replacement) x every way of hiding
// it (MASQUE_PS, INVISIBLE_PATIENT, INVISIBLE_REPRESENTANTS_LEGAUX, the matrix, a blocked author,
// the author's structure blocked, and nothing) x every path, through real HTTP (FHIR) and real
// SOAP (XDS.b). A member is
// visible exactly where the rules say (lock-world.ts `expected`); otherwise it is absent, and
// where it is named by its id the answer is the unknown id's, byte for byte but the request id.
// One server and one seeded world per store and file (test/support/lock-matrix.ts); each path is
// one table-driven test. The XDS.b paths are in lock-matrix-xds.test.ts.
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { AuditEvent, Bundle, DocumentReference, List, Parameters } from '@medplum/fhirtypes';
import type { Db } from '../../src/store/db.js';
import type { LockClients } from '../support/lock-clients.js';
import { unknownId } from '../support/lock-clients.js';
import { ACTOR_NAMES, HIDINGS, MEMBERS, type ActorName, type LockWorld, type Member } from '../support/lock-world.js';
import { LATEST, useLockMatrix } from '../support/lock-matrix.js';
import { storeKinds } from '../support/stores.js';
import { readZip } from '../support/zip.js';

const PATIENT_SIDE: ActorName[] = ['patient', 'representative', 'representative_with_doctor'];
/** the members that are current documents (Approved, latest): counted at home, exported */
const CURRENT_DOCUMENTS: Member[] = ['current', 'replacement'];

for (const kind of storeKinds()) {
  describe(`ACC-03 / ACC-08 / ACC-09 / TRACE-05: every path, every actor, every member, every hiding [${kind}]`, () => {
    const m = useLockMatrix(kind);
    let db: Db;
    let world: LockWorld;
    let c: LockClients;
    beforeAll(() => {
      ({ db, world, c } = m);
    });
    const { records, hidingsOf, visible, readsRecord, actorFor, visibleIds, hiddenIds, unknownRead, listSearch } = m;

    it('the matrix is not vacuous: every hiding hides from someone, and every actor but support and MASK-04 sees something', () => {
      for (const h of HIDINGS) if (h !== 'none') expect({ h, hidden: ACTOR_NAMES.some((n) => n !== 'support' && !visible(n, h)) }).toEqual({ h, hidden: true });
      for (const n of ACTOR_NAMES) if (n !== 'support' && n !== 'representative_with_doctor') expect({ n, sees: HIDINGS.some((h) => visible(n, h)) }).toEqual({ n, sees: true });
    });

    it('ACC-09: FHIR read (and its relatesTo) and ITI-68 Binary of every member: visible where the rules say, otherwise the unknown id\'s answer', async () => {
      const wrong: unknown[] = [];
      for (const name of ACTOR_NAMES) {
        for (const r of records()) {
          const actor = actorFor(name, r.patientKey);
          const unknown = { read: await unknownRead(actor, 'DocumentReference'), binary: await unknownRead(actor, 'Binary') };
          expect([unknown.read.status, unknown.binary.status]).toEqual([404, 404]);
          const seen = new Set(visibleIds(name, r.patientKey));
          const cases = hidingsOf(r.patientKey).flatMap((h) => MEMBERS.map((m) => ({ h, m, id: world.lineages[h].ids[m] })));
          await Promise.all(
            cases.map(async ({ h, m, id }) => {
              const [read, binary] = await Promise.all([c.fhir(actor, `DocumentReference/${id}`), c.fhir(actor, `Binary/${id}`, { accept: '*/*' })]);
              // what is read names, in relatesTo, only what the reader sees
              const related = ((read.json as DocumentReference | undefined)?.relatesTo ?? []).map((x) => x.target?.reference?.slice(18) ?? '');
              const ok = visible(name, h)
                ? read.status === 200 && (read.json as DocumentReference).id === id && binary.status === 200 && binary.body.toString().includes(h) && related.every((x) => seen.has(x))
                : read.status === 404 && read.body.equals(unknown.read.body) && binary.status === 404 && binary.body.equals(unknown.binary.body);
              if (!ok) wrong.push({ name, h, m, read: read.status, binary: binary.status, related, body: read.body.toString().slice(0, 200) });
            }),
          );
        }
      }
      expect(wrong).toEqual([]);
    }, 120_000);

    it('ACC-08 / ACC-09: ITI-67 search with _total, its pages and relatesTo show the latest visible members, and count nothing else', async () => {
      for (const name of ACTOR_NAMES) {
        for (const r of records()) {
          const actor = actorFor(name, r.patientKey);
          const all = await c.searchAll(actor, `DocumentReference?patient=Patient/${r.patientKey}&_count=100&_total=accurate`);
          if (!readsRecord(name, r.patientKey)) {
            expect({ name, status: all.status }).toEqual({ name, status: 403 });
            continue;
          }
          const want = visibleIds(name, r.patientKey, LATEST);
          expect({ name, r: r.patientKey, ids: [...all.ids].sort(), totals: all.totals }).toEqual({ name, r: r.patientKey, ids: want, totals: [want.length] });
          const paged = await c.searchAll(actor, `DocumentReference?patient=Patient/${r.patientKey}&_count=3&_total=accurate`);
          expect({ name, ids: paged.ids, totals: [...new Set(paged.totals)] }).toEqual({ name, ids: all.ids, totals: [want.length] });
          // relatesTo names only what the reader sees; a visible replacement names its predecessor
          const seen = new Set(visibleIds(name, r.patientKey));
          const related = all.resources.flatMap((d) => (d.relatesTo ?? []).map((x) => x.target?.reference?.slice(18) ?? ''));
          expect({ name, unseen: related.filter((x) => !seen.has(x)) }).toEqual({ name, unseen: [] });
          for (const h of hidingsOf(r.patientKey).filter((x) => visible(name, x))) {
            const l = world.lineages[h];
            const replacement = all.resources.find((d) => d.id === l.ids.replacement);
            expect({ name, h, replaces: replacement?.relatesTo?.map((x) => [x.code, x.target?.reference]) }).toEqual({ name, h, replaces: [['replaces', `DocumentReference/${l.ids.predecessor}`]] });
          }
        }
      }
    }, 120_000);

    it('ACC-08: ITI-66 List members are documents the reader sees; the folder lists the latest visible members', async () => {
      for (const name of ACTOR_NAMES) {
        for (const r of records()) {
          const actor = actorFor(name, r.patientKey);
          const res = await listSearch(actor, r.patientKey);
          if (!readsRecord(name, r.patientKey)) {
            expect({ name, status: res.status }).toEqual({ name, status: 403 });
            continue;
          }
          const lists = ((res.json as Bundle).entry ?? []).map((e) => e.resource as List);
          const members = (l: List) => (l.entry ?? []).map((e) => e.item.reference ?? '').filter((x) => x.startsWith('DocumentReference/')).map((x) => x.slice(18));
          const seen = new Set(visibleIds(name, r.patientKey));
          for (const l of lists) for (const id of members(l)) expect({ name, list: l.id, id, seen: seen.has(id) }).toEqual({ name, list: l.id, id, seen: true });
          if (r === world.main) {
            const folder = lists.find((l) => l.id === world.main.folder);
            expect({ name, folder: folder ? members(folder).sort() : [] }).toEqual({ name, folder: visibleIds(name, r.patientKey, ['predecessor', 'replacement']) });
          }
        }
      }
    }, 120_000);

    it('ACC-08 / issue 12 item 1 (R4 http read, MHD ITI-66 fullUrl): every submission set and folder reads at List/{id} as ITI-66 shows it to that reader; a list it hides answers as an unknown id', async () => {
      const wrong: unknown[] = [];
      for (const r of records()) {
        const all = await db.query<{ id: string }>("SELECT entry_uuid::text AS id FROM registry_object WHERE patient_key = $1 AND object_type IN ('SubmissionSet', 'Folder')", [r.patientKey]);
        expect(all.rows.length).toBeGreaterThan(1);
        for (const name of ACTOR_NAMES) {
          const actor = actorFor(name, r.patientKey);
          const unknown = await unknownRead(actor, 'List');
          expect(unknown.status).toBe(404);
          const search = await listSearch(actor, r.patientKey);
          const shown = new Map(((search.json as Bundle | undefined)?.entry ?? []).filter((e) => e.resource?.resourceType === 'List').map((e) => [e.resource!.id!, e]));
          await Promise.all(
            all.rows.map(async ({ id }) => {
              const read = await c.fhir(actor, `List/${id}`);
              const inSearch = shown.get(id);
              const ok = inSearch
                ? read.status === 200 && JSON.stringify(read.json) === JSON.stringify(inSearch.resource) && inSearch.fullUrl?.endsWith(`/List/${id}`)
                : read.status === 404 && read.body.equals(unknown.body);
              if (!ok) wrong.push({ name, id, inSearch: !!inSearch, status: read.status, body: read.body.toString().slice(0, 200) });
            }),
          );
        }
      }
      expect(wrong).toEqual([]);
    }, 120_000);

    it('ACC-08: $home counts and latest five hold only what the reader sees', async () => {
      for (const name of PATIENT_SIDE) {
        for (const r of records()) {
          const res = await c.fhir(actorFor(name, r.patientKey), `Patient/${r.patientKey}/$home`);
          expect(res.status).toBe(200);
          const params = (res.json as Parameters).parameter ?? [];
          const want = visibleIds(name, r.patientKey, CURRENT_DOCUMENTS);
          const latest = params.filter((p) => p.name === 'latest').map((p) => (p.resource as DocumentReference).id!);
          expect({ name, count: params.find((p) => p.name === 'currentCount')?.valueInteger, latest: latest.every((id) => want.includes(id)), shown: latest.length }).toEqual({
            name,
            count: want.length,
            latest: true,
            shown: Math.min(5, want.length),
          });
        }
      }
    }, 60_000);

    it('ACC-08 / ACC-09 / TRACE-05: $download holds only what the reader sees (entries, manifest, history); any member it sees may be chosen by id, a hidden one answers as an unknown one', async () => {
      for (const name of PATIENT_SIDE) {
        for (const r of records()) {
          const actor = actorFor(name, r.patientKey);
          const res = await c.fhir(actor, `Patient/${r.patientKey}/$download`, { accept: '*/*' });
          expect(res.status).toBe(200);
          const entries = readZip(res.body);
          const documents = [...new Set(entries.filter((e) => e.name.startsWith('documents/')).map((e) => e.name.slice(10, 46)))].sort();
          const manifest = JSON.parse(entries.find((e) => e.name === 'manifest.json')!.data.toString()) as { documents: number };
          const history = JSON.parse(entries.find((e) => e.name === 'history.json')!.data.toString()) as Array<{ document: { logicalId: string; entryUuid: string } | null }>;
          const want = visibleIds(name, r.patientKey, CURRENT_DOCUMENTS);
          const hidden = new Set(hiddenIds(name, r.patientKey));
          expect({ name, documents, count: manifest.documents, historyNamesHidden: history.filter((x) => x.document && (hidden.has(x.document.logicalId) || hidden.has(x.document.entryUuid))).length }).toEqual({
            name,
            documents: want,
            count: want.length,
            historyNamesHidden: 0,
          });
          // ACC-09: chosen by id, every member the reader sees is in the archive as that very version
          const seen = visibleIds(name, r.patientKey);
          if (seen.length) {
            const chosen = await c.fhir(actor, `Patient/${r.patientKey}/$download?parts=documents&documents=${seen.join(',')}`, { accept: '*/*' });
            const inArchive = [...new Set(readZip(chosen.body).filter((e) => e.name.startsWith('documents/')).map((e) => e.name.slice(10, 46)))].sort();
            expect({ name, status: chosen.status, inArchive }).toEqual({ name, status: 200, inArchive: seen });
          }
          const unknown = await c.fhir(actor, `Patient/${r.patientKey}/$download?documents=${unknownId()}`, { accept: '*/*' });
          for (const id of hiddenIds(name, r.patientKey)) {
            const chosen = await c.fhir(actor, `Patient/${r.patientKey}/$download?documents=${id}`, { accept: '*/*' });
            // the message names the id asked for, as for an unknown one
            expect({ status: chosen.status, body: chosen.body.toString().replace(id, '<id>') }).toEqual({ status: 404, body: unknown.body.toString().replace(/[0-9a-f-]{36}/, '<id>') });
          }
        }
      }
    }, 120_000);

    it('ACC-08 / ACC-09: a personal selection takes any member the reader sees, and a hidden one answers as an unknown id', async () => {
      const wrong: unknown[] = [];
      const selection = (patientKey: string, ...ids: string[]) => ({
        resourceType: 'List',
        status: 'current',
        mode: 'working',
        title: 'matrice',
        code: { coding: [{ system: 'https://carnet.example/fhir/CodeSystem/dmp-list-type', code: 'carnet-selection' }] },
        subject: { reference: `Patient/${patientKey}` },
        entry: ids.map((id) => ({ item: { reference: `DocumentReference/${id}` } })),
      });
      for (const name of PATIENT_SIDE) {
        for (const r of records()) {
          const actor = actorFor(name, r.patientKey);
          const unknownIdValue = unknownId();
          const unknown = await c.fhir(actor, 'List', { method: 'POST', body: selection(r.patientKey, unknownIdValue) });
          expect(unknown.status).toBe(404);
          // every member it sees, in one selection; then each hidden one alone
          const seen = visibleIds(name, r.patientKey);
          if (seen.length) {
            const all = await c.fhir(actor, 'List', { method: 'POST', body: selection(r.patientKey, ...seen) });
            const kept = ((all.json as List | undefined)?.entry ?? []).length;
            // the selection holds the three documents of each lineage it sees (versions, predecessor, replacement)
            if (all.status !== 201 || kept !== hidingsOf(r.patientKey).filter((h) => visible(name, h)).length * 3) wrong.push({ name, status: all.status, kept });
          }
          const cases = hidingsOf(r.patientKey).filter((h) => !visible(name, h)).flatMap((h) => MEMBERS.map((m) => ({ h, m, id: world.lineages[h].ids[m] })));
          await Promise.all(
            cases.map(async ({ h, m, id }) => {
              const res = await c.fhir(actor, 'List', { method: 'POST', body: selection(r.patientKey, id) });
              if (res.status !== 404 || res.body.toString().replace(id, '<id>') !== unknown.body.toString().replace(unknownIdValue, '<id>')) {
                wrong.push({ name, h, m, status: res.status, body: res.body.toString().slice(0, 200) });
              }
            }),
          );
        }
      }
      expect(wrong).toEqual([]);
    }, 120_000);

    /**
     * Every AuditEvent of the record's history the reader is shown, page by page. Each page read
     * is itself traced, newest first, so the next page starts one entry later: an entry seen
     * twice is kept once.
     */
    async function auditEvents(name: ActorName, patientKey: string): Promise<AuditEvent[]> {
      const actor = actorFor(name, patientKey);
      const events = new Map<string, AuditEvent>();
      let total = -1;
      let pages = 0;
      for (let offset = 0; offset === 0 || offset < total; offset += 100) {
        const res = await c.fhir(actor, `AuditEvent?patient=Patient/${patientKey}&_count=100&_offset=${offset}`);
        expect({ name, status: res.status }).toEqual({ name, status: 200 });
        const b = res.json as Bundle;
        total = b.total ?? 0;
        for (const e of b.entry ?? []) events.set(e.resource!.id!, e.resource as AuditEvent);
        pages += 1;
      }
      // the pages' own reads are the only entries added meanwhile
      expect(events.size).toBe(total - (pages - 1));
      return [...events.values()];
    }

    /**
     * A reader's history as auditEvents read it, once: the ITI-57 entries are all written by the
     * seeding, so the history the first TRACE-05 test read shows them as a new read would (every
     * request of the tests adds its own entry: reading the main record's pages again cost more
     * than any other path here).
     */
    const histories = new Map<string, Promise<AuditEvent[]>>();
    const historyOf = (name: ActorName, patientKey: string): Promise<AuditEvent[]> => {
      const key = `${name}|${patientKey}`;
      if (!histories.has(key)) histories.set(key, auditEvents(name, patientKey));
      return histories.get(key)!;
    };

    it('TRACE-05: the AuditEvent history of the patient, each representative and the médecin traitant names only documents they see', async () => {
      for (const name of [...PATIENT_SIDE, 'medecin_traitant'] as ActorName[]) {
        for (const r of records()) {
          const events = await historyOf(name, r.patientKey);
          const named = new Set(
            events.flatMap((e) => (e.entity ?? []).flatMap((en) => [en.what?.reference?.replace(/^DocumentReference\//, ''), en.what?.identifier?.value?.replace(/^urn:uuid:/, '')])).filter((x): x is string => !!x),
          );
          const hidden = hiddenIds(name, r.patientKey).filter((id) => named.has(id));
          expect({ name, r: r.patientKey, hidden }).toEqual({ name, r: r.patientKey, hidden: [] });
          // and what the reader sees has its history: each visible replacement's deposit is there
          for (const h of hidingsOf(r.patientKey).filter((x) => visible(name, x))) expect({ name, h, named: named.has(world.lineages[h].ids.replacement) }).toEqual({ name, h, named: true });
        }
      }
      for (const name of ACTOR_NAMES.filter((n) => ![...PATIENT_SIDE, 'medecin_traitant'].includes(n))) {
        expect({ name, status: (await c.fhir(world.actors[name], `AuditEvent?patient=Patient/${world.main.patientKey}`)).status }).toEqual({ name, status: 403 });
      }
    }, 120_000);

    it('TRACE-05: ITI-57 entries about a document through an association (its folder link, the link withdrawn, the requests themselves) are shown exactly to the readers who see the document', async () => {
      const r = world.main;
      const linked = hidingsOf(r.patientKey).filter((h) => world.lineages[h].folderLink !== null);
      expect(linked.length).toBeGreaterThan(4);
      const action = (e: AuditEvent) => e.subtype?.find((x) => x.system?.endsWith('trace-action'))?.code;
      for (const name of [...PATIENT_SIDE, 'medecin_traitant'] as ActorName[]) {
        const events = await historyOf(name, r.patientKey);
        const seen = linked.filter((h) => visible(name, h)).length;
        // each ITI-57 request of the world has its own entry, naming no document of its own: two
        // per link (made, withdrawn), and the author's new metadata versions where there is one
        const versioned = linked.filter((h) => visible(name, h) && (h === 'none' || h === 'matrix')).length;
        const requests = events.filter((e) => action(e) === 'document.metadata_update' && !(e.entity ?? []).some((x) => x.what?.identifier));
        expect({ name, made: events.filter((e) => action(e) === 'association.submit').length, withdrawn: events.filter((e) => action(e) === 'association.status').length, requests: requests.length }).toEqual({
          name,
          made: seen,
          withdrawn: seen,
          requests: 2 * seen + versioned,
        });
      }
      // the comparison is not vacuous: someone is refused some, and someone sees them all
      expect(linked.some((h) => !visible('patient', h))).toBe(true);
      expect(linked.every((h) => visible('medecin_traitant', h))).toBe(true);
    }, 120_000);
  });
}
