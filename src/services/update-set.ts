// ITI-57 Update Document Set as one change of the record: the request's submission set, its new
// DocumentEntry and Folder versions, the associations it submits and its status changes are
// checked and stored in one transaction, or none of them is (ITI TF-2 3.57.4.1.3).
import { randomUUID } from 'node:crypto';
import { decide, type Decision } from '../domain/decide.js';
import { dtmToDate, folderProblems, submissionSetProblems } from '../domain/entry-requirements.js';
import { checkSubmissionDocuments } from '../domain/input-limits.js';
import { metadataSizeProblems } from '../domain/metadata-limits.js';
import { CarnetError, CarnetErrors } from '../domain/errors.js';
import type { Action } from '../domain/actions.js';
import type { AssociationType, AvailabilityStatus, FolderMetadata, StoredDocumentEntry, StoredFolder } from '../domain/model.js';
import { documentFacts } from '../domain/record.js';
import type { NewVersion, StatusChange, UpdateRequest } from '../domain/update-request.js';
import type { Tx } from '../store/db.js';
import { bareUuid, getEntry, getLatestByLogicalId, setEntryStatus } from '../store/document-repo.js';
import type { LoadedRecord } from '../store/record-repo.js';
import { lookupObjects, lookupUniqueIds, registerObject, registerUniqueId, type RegistryObjectType } from '../store/registry-repo.js';
import { findAssociations, insertAssociation, setAssociationStatus } from '../store/association-repo.js';
import { findFolders, insertFolderVersion, markFolderNotLatest, setFolderStatus, touchFolder } from '../store/folder-repo.js';
import { insertSubmissionSet } from '../store/submission-set-repo.js';
import type { Caller, ServiceDeps } from './deps.js';
import { guarded, refusal, type TraceExtra } from './guard.js';
import { contentAttributeChanges, nextDocumentVersion, storeDocumentVersion } from './metadata-updates.js';
import { recordOf, traced, UUID } from './update-set-record.js';
import { operationError, unknownLogicalId, unknownObject, updateError, versionError } from './update-set-errors.js';

/** what SubmitAssociation may add between registered objects (a replacement is a submission) */
const SUBMITTABLE: AssociationType[] = ['HasMember', 'APND', 'XFRM', 'signs'];
const RELATIONS: AssociationType[] = ['RPLC', 'XFRM_RPLC', 'APND', 'XFRM', 'signs'];

export function updateSetService(deps: ServiceDeps) {
  return {
    async apply(caller: Caller, req: UpdateRequest): Promise<{ assignedIds: Record<string, string> }> {
      await deps.availability?.ensureAvailable('metadata.update');
      // each version is a few statements under the record's lock, as a submission's documents
      checkSubmissionDocuments(req.documents.length + req.folders.length, deps.limits.submissionMaxDocuments, 'new versions of documents and folders');
      const { patientKey, objects } = await recordOf(deps, caller, req);
      return guarded(deps, caller, {
        patientKey,
        // the request adds to the record; each operation is then decided on its own object
        action: 'document.submit',
        lock: true,
        trace: traced(req, objects),
        act: ({ tx, record, trace }) => new UpdateRun(deps, caller, tx, record, req, trace).run(),
      });
    },
  };
}

type Trace = (action: string, extra?: TraceExtra) => Promise<unknown>;

class UpdateRun {
  private readonly now: Date;
  private readonly patientKey: string;
  private readonly ids = new Map<string, string>();
  /** the objects this request creates, by entryUUID */
  private readonly created = new Map<string, RegistryObjectType>();
  /** new document versions whose associations propagate (AssociationPropagation not `no`) */
  private readonly propagating = new Set<string>();
  /** versions that would change the registered content's attributes: the request fails with them at its end */
  private readonly contentChanges: CarnetError[] = [];

  constructor(
    private readonly deps: ServiceDeps,
    private readonly caller: Caller,
    private readonly tx: Tx,
    private readonly record: LoadedRecord,
    private readonly req: UpdateRequest,
    private readonly trace: Trace,
  ) {
    this.now = deps.clock.now();
    this.patientKey = record.context.patientKey;
  }

  private uuidOf(id: string): string {
    return this.ids.get(id) ?? id.toLowerCase();
  }

  private permits(action: Action, doc: StoredDocumentEntry | null): Decision {
    return decide(this.deps.policy, this.caller.actor, this.record.context, doc ? documentFacts(doc) : null, action, this.now);
  }

  /** Throws the refusal; for a document the caller may not read, the answer to the id `sent` unknown. */
  private decide(action: Action, doc: StoredDocumentEntry | null, sent?: string): void {
    const d = this.permits(action, doc);
    if (d.permit) return;
    if (doc && sent !== undefined && !this.permits('document.read', doc).permit) throw unknownObject(sent);
    throw refusal(d.reason);
  }

  async run(): Promise<{ assignedIds: Record<string, string> }> {
    await this.assignIds();
    await this.storeSubmissionSet();
    for (const d of this.req.documents) await this.documentVersion(d);
    for (const f of this.req.folders) await this.folderVersion(f);
    for (const a of this.req.associations) await this.submitAssociation(a);
    for (const s of this.req.statusChanges) await this.changeStatus(s);
    // Checked last, so that an operation the request may not hold at all is named first (20006).
    if (this.contentChanges.length) throw this.contentChanges.length === 1 ? this.contentChanges[0] : new CarnetErrors(this.contentChanges);
    return { assignedIds: Object.fromEntries(this.ids) };
  }

  /** UUIDs the sender chose must be new; symbolic ids get one from the registry. */
  private async assignIds(): Promise<void> {
    const { req } = this;
    const objects = [req.submissionSet.id, ...req.documents.map((d) => d.id), ...req.folders.map((f) => f.id), ...req.associations.map((a) => a.id)];
    const chosen = objects.filter((id) => UUID.test(id)).map((id) => id.toLowerCase());
    const taken = chosen.length ? await lookupObjects(this.tx, chosen) : [];
    if (taken.length) throw new CarnetError('invalid_metadata', `entryUUID ${taken[0]!.entryUuid} already exists in the registry`, { location: taken[0]!.entryUuid });
    for (const id of objects) this.ids.set(id, UUID.test(id) ? id.toLowerCase() : `urn:uuid:${randomUUID()}`);
  }

  private async storeSubmissionSet(): Promise<void> {
    const ss = this.req.submissionSet;
    const problems = submissionSetProblems(ss.id, ss);
    if (problems.length) throw problems.length === 1 ? problems[0] : new CarnetErrors(problems);
    if ((await lookupUniqueIds(this.tx, [ss.uniqueId])).length) {
      throw new CarnetError('duplicate_unique_id', `submission set uniqueId ${ss.uniqueId} is already registered`, { location: ss.id });
    }
    const uuid = this.uuidOf(ss.id);
    const actor = this.caller.actor;
    await insertSubmissionSet(this.tx, {
      patientKey: this.patientKey,
      entryUuid: uuid,
      metadata: { ...ss, entryUuid: uuid, availabilityStatus: 'Approved' },
      submissionTime: ss.submissionTime ? dtmToDate(ss.submissionTime) : this.now,
      authorIds: ss.authors.map((a) => a.person?.id).filter((x): x is string => !!x),
      submittedBy: actor.kind === 'professional' ? actor.idNatPs : null,
      storedAt: this.now,
    });
    await registerObject(this.tx, uuid, this.patientKey, 'SubmissionSet');
    await registerUniqueId(this.tx, { unique_id: ss.uniqueId, patient_key: this.patientKey, object_type: 'SubmissionSet', logical_id: uuid, sha1: null, size: null });
  }

  /** The submission set's HasMember to a new version, with the version it follows. */
  private async member(target: string, previousVersion: number, propagate: boolean): Promise<void> {
    const uuid = `urn:uuid:${randomUUID()}`;
    const ss = this.uuidOf(this.req.submissionSet.id);
    await insertAssociation(this.tx, {
      patientKey: this.patientKey,
      entryUuid: uuid,
      metadata: { type: 'HasMember', sourceId: ss, targetId: target, submissionSetStatus: 'Original', previousVersion: String(previousVersion), ...(propagate ? {} : { associationPropagation: false }) },
      storedAt: this.now,
    });
    await registerObject(this.tx, uuid, this.patientKey, 'Association');
  }

  private async documentVersion(v: UpdateRequest['documents'][number]): Promise<void> {
    const logicalId = v.logicalId.toLowerCase();
    const current = await getLatestByLogicalId(this.tx, this.patientKey, logicalId, true);
    if (!current) throw versionError(`no document has the logical id ${v.logicalId}`, v.id);
    // a document the caller may neither read nor replace is not there for it (ACC-08)
    if (!this.permits('document.read', current).permit && !this.permits('document.replace', current).permit) throw unknownLogicalId(v);
    const next = nextDocumentVersion(this.deps, this.caller, this.record, current, { logicalId, previousVersion: v.previousVersion, metadata: v.metadata });
    const moved = contentAttributeChanges(current, v.metadata);
    if (moved.length) {
      this.contentChanges.push(updateError(`a metadata update cannot change ${moved.join(', ')}: they describe the registered document's content, which no update changes`, v.id));
    }
    const entryUuid = this.uuidOf(v.id);
    await storeDocumentVersion(this.tx, current, next, { entryUuid, submissionSetUuid: this.uuidOf(this.req.submissionSet.id), now: this.now });
    this.created.set(entryUuid, 'DocumentEntry');
    if (v.propagate) this.propagating.add(entryUuid);
    await this.member(entryUuid, current.version, v.propagate);
    await this.trace('document.metadata_update', {
      document: { logicalId: bareUuid(logicalId), entryUuid: bareUuid(entryUuid), uniqueId: current.uniqueId },
      details: { previousVersion: current.version },
    });
  }

  private async latestFolder(logicalId: string): Promise<StoredFolder | undefined> {
    return (await findFolders(this.tx, { patientKey: this.patientKey, logicalIds: [logicalId], latestOnly: true }))[0];
  }

  /** A new Folder version; with propagation the folder keeps its documents (ITI TF-2 3.57.4.1.3.3.1). */
  private async folderVersion(v: NewVersion<FolderMetadata>): Promise<void> {
    const logicalId = v.logicalId.toLowerCase();
    const current = await this.latestFolder(logicalId);
    if (!current) throw versionError(`no folder has the logical id ${v.logicalId}`, v.id);
    if (current.version !== v.previousVersion) {
      throw versionError(`version ${v.previousVersion} is not the latest version (${current.version}) of the folder`, v.id);
    }
    const problems = folderProblems(v.id, v.metadata, current);
    if (problems.length) throw problems.length === 1 ? problems[0] : new CarnetErrors(problems);
    const m = v.metadata;
    if (m.patientId.value !== current.patientId.value || m.patientId.system !== current.patientId.system) {
      throw new CarnetError('patient_mismatch', 'a metadata update cannot move a folder to another patient', { location: v.id, reason: 'XDSPatientIDReconciliationError' });
    }
    if (m.uniqueId !== current.uniqueId) throw updateError('a metadata update cannot change the uniqueId of a folder', v.id);
    if (current.availabilityStatus !== 'Approved') throw updateError(`a ${current.availabilityStatus} folder cannot be updated`, v.id);
    const entryUuid = this.uuidOf(v.id);
    const version = current.version + 1;
    await markFolderNotLatest(this.tx, this.patientKey, current.entryUuid);
    await insertFolderVersion(this.tx, {
      patientKey: this.patientKey,
      entryUuid,
      logicalId,
      version,
      status: 'Approved',
      metadata: { ...m, entryUuid, logicalId, version, availabilityStatus: 'Approved' },
      lastUpdateTime: this.now,
      storedAt: this.now,
    });
    await registerObject(this.tx, entryUuid, this.patientKey, 'Folder');
    this.created.set(entryUuid, 'Folder');
    await this.member(entryUuid, current.version, v.propagate);
    if (v.propagate) {
      for (const link of await findAssociations(this.tx, { patientKey: this.patientKey, sources: [current.entryUuid], types: ['HasMember'], statuses: ['Approved'] })) {
        const uuid = `urn:uuid:${randomUUID()}`;
        await insertAssociation(this.tx, { patientKey: this.patientKey, entryUuid: uuid, metadata: { type: 'HasMember', sourceId: entryUuid, targetId: link.targetId }, storedAt: this.now });
        await registerObject(this.tx, uuid, this.patientKey, 'Association');
      }
    }
    await this.trace('folder.metadata_update', { details: { folder: bareUuid(entryUuid), logicalId: bareUuid(logicalId), previousVersion: current.version } });
  }

  private async typeOf(uuid: string): Promise<RegistryObjectType | undefined> {
    return this.created.get(uuid) ?? (await lookupObjects(this.tx, [uuid]))[0]?.type;
  }

  /** A current document of the record that the association may link; `sent` is its id as sent. */
  private async currentDocument(uuid: string, location: string, sent: string): Promise<StoredDocumentEntry> {
    const doc = await getEntry(this.tx, this.patientKey, uuid, true);
    if (!doc) throw updateError(`${uuid} is not a document of this record`, location);
    this.decide('document.read', doc, sent);
    if (!doc.latest || doc.availabilityStatus !== 'Approved') throw updateError(`association ${location} links ${uuid}, which is not an approved current document`, location);
    return doc;
  }

  /** SubmitAssociation: a folder takes a document, or a document appends to / transforms / signs another. */
  private async submitAssociation(a: UpdateRequest['associations'][number]): Promise<void> {
    if (!SUBMITTABLE.includes(a.type)) throw operationError(`association ${a.id}: ${a.type} cannot be submitted by a metadata update`, a.id);
    const tooMuch = metadataSizeProblems(`Association ${a.id}`, a.id, a);
    if (tooMuch.length) throw tooMuch[0];
    const source = this.uuidOf(a.sourceId);
    const target = this.uuidOf(a.targetId);
    const [sourceType, targetType] = [await this.typeOf(source), await this.typeOf(target)];
    if (a.type === 'HasMember') {
      if (sourceType !== 'Folder' || targetType !== 'DocumentEntry') throw updateError(`association ${a.id}: HasMember adds a document to a folder`, a.id);
      const folder = (await findFolders(this.tx, { patientKey: this.patientKey, entryUuids: [source], latestOnly: true }))[0];
      if (!folder || folder.availabilityStatus !== 'Approved') throw updateError(`association ${a.id}: the folder is not an approved current folder`, a.id);
      await this.currentDocument(target, a.id, a.targetId);
    } else {
      if (sourceType !== 'DocumentEntry' || targetType !== 'DocumentEntry') throw updateError(`association ${a.id}: ${a.type} links two documents`, a.id);
      for (const end of [source, target]) {
        // A new version whose associations propagate would receive the previous version's links
        // as well; a link submitted on it in the same request is refused rather than doubled (20006).
        if (this.propagating.has(end)) throw operationError(`association ${a.id} is on a new version whose associations propagate`, a.id);
      }
      const from = await this.currentDocument(source, a.id, a.sourceId);
      await this.currentDocument(target, a.id, a.targetId);
      // the relation is declared by its source document: its author's change (DOC-05)
      this.decide('document.deprecate', from);
    }
    const uuid = this.uuidOf(a.id);
    const metadata = { ...a, entryUuid: uuid, sourceId: source, targetId: target, availabilityStatus: 'Approved' as const };
    delete (metadata as { id?: string }).id;
    await insertAssociation(this.tx, { patientKey: this.patientKey, entryUuid: uuid, metadata, storedAt: this.now });
    // the folder's time moves with the link that filed the document, written just above
    if (a.type === 'HasMember') await touchFolder(this.tx, this.patientKey, source, this.now, target);
    await registerObject(this.tx, uuid, this.patientKey, 'Association');
    this.created.set(uuid, 'Association');
    const link = `urn:uuid:${randomUUID()}`;
    await insertAssociation(this.tx, {
      patientKey: this.patientKey,
      entryUuid: link,
      metadata: { type: 'HasMember', sourceId: this.uuidOf(this.req.submissionSet.id), targetId: uuid, submissionSetStatus: 'Original' },
      storedAt: this.now,
    });
    await registerObject(this.tx, link, this.patientKey, 'Association');
    await this.trace('association.submit', { details: { association: bareUuid(uuid), type: a.type, source: bareUuid(source), target: bareUuid(target) } });
  }

  private async changeStatus(s: StatusChange): Promise<void> {
    const target = this.uuidOf(s.targetId);
    const type = await this.typeOf(target);
    if (type === 'DocumentEntry') return this.documentStatus(s, target);
    if (type === 'Folder') return this.folderStatus(s, target);
    if (type === 'Association') return this.associationStatus(s, target);
    throw operationError(`UpdateAvailabilityStatus ${s.id}: the status of a ${type ?? 'unknown object'} is not changed by a metadata update`, s.id);
  }

  private async documentStatus(s: StatusChange, uuid: string): Promise<void> {
    const doc = await getEntry(this.tx, this.patientKey, uuid, true);
    if (!doc) throw updateError(`${uuid} is not a document of this record`, s.id);
    const { from, to } = s;
    const action: Action | undefined =
      to === 'Deleted'
        ? 'document.delete'
        : (from === 'Approved' && to === 'Archived') || (from === 'Archived' && to === 'Approved')
          ? 'document.archive'
          : (from === 'Approved' && to === 'Deprecated') || (from === 'Deprecated' && to === 'Approved')
            ? 'document.deprecate'
            : undefined;
    if (!action) throw operationError(`a document status change from ${from} to ${to} is not supported`, s.id);
    // decided before the document's state is described: a document the caller cannot see is
    // answered as an id the registry does not hold (ACC-08)
    this.decide(action, doc, s.targetId);
    if (!doc.latest) throw versionError('this is not the latest version of the document', uuid);
    if (doc.availabilityStatus !== from) throw updateError(`the document is ${doc.availabilityStatus}, not ${from}`, s.id);
    if (action === 'document.deprecate' && to === 'Approved' && (await this.replaced(uuid))) {
      throw updateError('a replaced document stays deprecated: its replacement is the current version (DOC-05)', s.id);
    }
    await setEntryStatus(this.tx, this.patientKey, uuid, to, this.now);
    await this.trace('document.status', {
      document: { logicalId: bareUuid(doc.logicalId), entryUuid: bareUuid(uuid), uniqueId: doc.uniqueId },
      details: { from, to },
    });
  }

  /** whether an approved document replaces this one (RPLC, XFRM_RPLC) */
  private async replaced(uuid: string): Promise<boolean> {
    const links = await findAssociations(this.tx, { patientKey: this.patientKey, targets: [uuid], types: ['RPLC', 'XFRM_RPLC'], statuses: ['Approved'] });
    for (const l of links) {
      const by = await getEntry(this.tx, this.patientKey, l.sourceId);
      if (by && by.availabilityStatus !== 'Deleted') return true;
    }
    return false;
  }

  private async folderStatus(s: StatusChange, uuid: string): Promise<void> {
    const folder = (await findFolders(this.tx, { patientKey: this.patientKey, entryUuids: [uuid], latestOnly: false }))[0];
    if (!folder) throw updateError(`${uuid} is not a folder of this record`, s.id);
    const latest = await this.latestFolder(folder.logicalId);
    if (latest?.entryUuid !== folder.entryUuid) throw versionError('this is not the latest version of the folder', uuid);
    if (folder.availabilityStatus !== s.from) throw updateError(`the folder is ${folder.availabilityStatus}, not ${s.from}`, s.id);
    if (!isApprovedDeprecatedSwap(s.from, s.to)) throw operationError(`a folder status change from ${s.from} to ${s.to} is not supported`, s.id);
    await setFolderStatus(this.tx, this.patientKey, uuid, s.to);
    await this.trace('folder.status', { details: { folder: bareUuid(uuid), from: s.from, to: s.to } });
  }

  private async associationStatus(s: StatusChange, uuid: string): Promise<void> {
    const a = (await findAssociations(this.tx, { patientKey: this.patientKey, entryUuids: [uuid] }))[0];
    if (!a) throw updateError(`${uuid} is not an association of this record`, s.id);
    // a document the caller may not see is never reached through its links (ACC-08): the
    // association is then unknown to it, before anything about it is said
    for (const end of [a.sourceId, a.targetId]) {
      if ((await this.typeOf(end)) !== 'DocumentEntry') continue;
      const doc = await getEntry(this.tx, this.patientKey, end);
      if (doc) this.decide('document.read', doc, s.targetId);
    }
    if (a.availabilityStatus !== s.from) throw updateError(`the association is ${a.availabilityStatus}, not ${s.from}`, s.id);
    if (!isApprovedDeprecatedSwap(s.from, s.to)) throw operationError(`an association status change from ${s.from} to ${s.to} is not supported`, s.id);
    if (a.type === 'HasMember' && (await this.typeOf(a.sourceId)) === 'SubmissionSet') {
      throw operationError('what a submission set holds is not changed after the fact', s.id);
    }
    if (RELATIONS.includes(a.type)) {
      // the relation is declared by its source document: its author's change (DOC-05)
      const source = await getEntry(this.tx, this.patientKey, a.sourceId);
      if (source) this.decide('document.deprecate', source);
    }
    await setAssociationStatus(this.tx, this.patientKey, uuid, s.to);
    await this.trace('association.status', { details: { association: bareUuid(uuid), type: a.type, from: s.from, to: s.to } });
  }
}

function isApprovedDeprecatedSwap(from: AvailabilityStatus, to: AvailabilityStatus): boolean {
  return (from === 'Approved' && to === 'Deprecated') || (from === 'Deprecated' && to === 'Approved');
}
