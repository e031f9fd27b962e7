// AuditEvent (read-only): the record's access history (TRACE-03/04) as IHE BALP events. Only the
// patient side and the médecin traitant read it; the history service asks the rules.
import type { FastifyInstance } from 'fastify';
import { ACCESS_MODES } from '../../domain/actor.js';
import { CarnetError } from '../../domain/errors.js';
import type { Caller } from '../../services/deps.js';
import { NO_RECORD_CHAIN, type HistoryQuery } from '../../services/history.js';
import { callerOf } from '../caller.js';
import type { FhirRouteContext } from '../door.js';
import { sendResource } from '../reply.js';
import { traceActionsFor, traceToAuditEvent, type AuditAction, type AuditContext } from '../mappings/audit-event.js';
import { CS, HL7, SYSTEM } from '../mappings/carnet-fhir.js';
import { withHistoryMarks } from '../mappings/history-marks.js';
import { parseRecordScopedId } from '../mappings/composite-id.js';
import { dateRange, invalidParam, pagingOf, parseReference, searchParamsOf, single, token, values, type SearchParam, undeclared } from './search-params.js';
import { searchset } from './searchset.js';
import { baseOf, notFound, orNotFound } from './support.js';

const AUDIT_ACTIONS: readonly AuditAction[] = ['C', 'R', 'U', 'D', 'E'];

function patientOf(q: SearchParam[], caller: Caller): string {
  const v = single(q, 'patient');
  if (v !== undefined) return parseReference(v, ['Patient'], 'patient').id;
  if (caller.actor.kind === 'patient' || caller.actor.kind === 'legal_representative') return caller.actor.patientKey;
  throw invalidParam('patient', 'name the record: patient=Patient/<id>');
}

/** Who acted: Practitioner/<IdNat_PS>, a bare id, or (agent:identifier) system|value. */
function agentOf(q: SearchParam[]): string | undefined {
  const refs = values(q, 'agent').map((v) => parseReference(v, ['Practitioner', 'PractitionerRole', 'Patient', 'RelatedPerson'], 'agent').id);
  const ids = values(q, 'agent:identifier').map((v) => {
    const t = token(v);
    if (t.system && t.system !== SYSTEM.IDNAT_PS && t.system !== SYSTEM.LEGAL_REPRESENTATIVE && t.system !== SYSTEM.SUPPORT_AGENT) {
      throw invalidParam('agent:identifier', `agents are identified by ${SYSTEM.IDNAT_PS} (IdNat_PS)`);
    }
    return t.code;
  });
  const all = [...new Set([...refs, ...ids])];
  if (all.length > 1) throw invalidParam('agent', 'one agent per search');
  return all[0];
}

function actionsOf(q: SearchParam[]): string[] | undefined {
  const codes = values(q, 'action');
  if (!codes.length) return undefined;
  return codes.flatMap((c) => {
    if (!(AUDIT_ACTIONS as readonly string[]).includes(c)) throw invalidParam('action', 'action is one of C, R, U, D, E');
    return traceActionsFor(c as AuditAction);
  });
}

/** purpose-of-use: a DMP access mode, or ETREAT for both emergency modes. */
function modesOf(q: SearchParam[]): string[] | undefined {
  const tokens = values(q, 'purpose-of-use').map(token);
  if (!tokens.length) return undefined;
  return tokens.flatMap((t) => {
    if ((!t.system || t.system === HL7.ACT_REASON) && t.code === 'ETREAT') return ['bris_de_glace', 'centre_15'];
    if ((!t.system || t.system === CS.ACCESS_MODE) && (ACCESS_MODES as readonly string[]).includes(t.code)) return [t.code];
    throw invalidParam('purpose-of-use', `purpose-of-use is a code of ${CS.ACCESS_MODE} (normal, bris_de_glace, centre_15) or ${HL7.ACT_REASON}|ETREAT`);
  });
}

/** entity: DocumentReference/<entryUUID>, urn:uuid:<logical id> or a bare uuid. */
function documentOf(q: SearchParam[]): string | undefined {
  const v = single(q, 'entity');
  if (v === undefined) return undefined;
  if (v.startsWith('urn:uuid:')) return v.slice('urn:uuid:'.length);
  return parseReference(v, ['DocumentReference'], 'entity').id;
}

export function registerAuditEventRoutes(fhir: FastifyInstance, ctx: FhirRouteContext): void {
  const auditContext = (): AuditContext => ({ serverBase: baseOf(ctx), noRecordChain: NO_RECORD_CHAIN });

  fhir.get<{ Params: { id: string } }>('/AuditEvent/:id', async (req, reply) => {
    const parsed = parseRecordScopedId(req.params.id);
    if (!parsed || parsed.kind !== 'pair') throw notFound('AuditEvent');
    const caller = callerOf(req);
    const page = await orNotFound(ctx.services.historyView.read(caller, parsed.patientKey, { traceId: parsed.localId, limit: 1, offset: 0 }), 'AuditEvent');
    const found = page.rows[0];
    if (!found) throw notFound('AuditEvent');
    // the same marks and details as in a search (TRACE-03), so a read and a search of one entry agree
    const patientSide = caller.actor.kind === 'patient' || caller.actor.kind === 'legal_representative';
    const event = traceToAuditEvent(found.row, { ...auditContext(), patientSide });
    return sendResource(req, reply, patientSide ? withHistoryMarks(event, found.marks) : event);
  });

  fhir.get('/AuditEvent', async (req, reply) => {
    const q = searchParamsOf(req);
    const ignored = undeclared(req, q, ctx.caps.searchParamNames('AuditEvent'), 'AuditEvent', { agent: ['identifier'] });
    const caller = callerOf(req);
    const patientKey = patientOf(q, caller);
    const { from, to } = dateRange(values(q, 'date'), 'date');
    const paging = pagingOf(q, ctx.config);
    const query: HistoryQuery = { limit: paging.count, offset: paging.offset };
    if (from) query.from = from;
    if (to) query.to = to;
    const agent = agentOf(q);
    if (agent !== undefined) query.actorId = agent;
    const actions = actionsOf(q);
    if (actions) query.actions = actions;
    const modes = modesOf(q);
    if (modes) query.accessModes = modes;
    const documentId = documentOf(q);
    if (documentId !== undefined) query.documentId = documentId;
    if (from && to && from >= to) throw new CarnetError('invalid_metadata', 'the date range is empty', { location: 'date' });
    // TRACE-03: _own=true the patient side's own actions, _own=false the professionals'
    const own = single(q, '_own');
    if (own !== undefined && own !== 'true' && own !== 'false') throw invalidParam('_own', '_own is true or false');
    const side = own === undefined ? undefined : own === 'true' ? ('own' as const) : ('professional' as const);
    const page = await orNotFound(ctx.services.historyView.read(caller, patientKey, { ...query, ...(side ? { side } : {}) }), 'Patient');
    const patientSide = caller.actor.kind === 'patient' || caller.actor.kind === 'legal_representative';
    const audit = { ...auditContext(), patientSide };
    return sendResource(
      req,
      reply,
      searchset({
        base: baseOf(ctx),
        type: 'AuditEvent',
        params: q,
        paging,
        resources: page.rows.map(({ row, marks }) => (patientSide ? withHistoryMarks(traceToAuditEvent(row, audit), marks) : traceToAuditEvent(row, audit))),
        total: page.total,
        ignored,
      }),
    );
  });

  const caps = ctx.caps;
  caps.addInteraction('AuditEvent', 'read');
  caps.addInteraction('AuditEvent', 'search-type');
  caps.addSearchParams('AuditEvent', [
    { name: 'patient', type: 'reference', definition: 'http://hl7.org/fhir/SearchParameter/AuditEvent-patient', documentation: 'The record (Patient/<id>); the patient side may omit it' },
    { name: 'agent', type: 'reference', definition: 'http://hl7.org/fhir/SearchParameter/AuditEvent-agent', documentation: 'Practitioner/<IdNat_PS>; agent:identifier=urn:oid:1.2.250.1.71.4.2.1|<IdNat_PS> also accepted' },
    { name: 'date', type: 'date', definition: 'http://hl7.org/fhir/SearchParameter/AuditEvent-date' },
    { name: 'entity', type: 'reference', definition: 'http://hl7.org/fhir/SearchParameter/AuditEvent-entity', documentation: 'DocumentReference/<entryUUID> or urn:uuid:<logical id>: every version of the document' },
    { name: 'action', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/AuditEvent-action' },
    { name: 'purpose-of-use', type: 'token', documentation: `${CS.ACCESS_MODE} (normal, bris_de_glace, centre_15), or ${HL7.ACT_REASON}|ETREAT for both emergency modes` },
    { name: '_own', type: 'token', documentation: `TRACE-03: true = the patient side's own actions, false = the professionals' actions; for the patient side every entry carries meta.tag from ${CS.HISTORY_MARK} (own, professional, new-since-last-login, first-access, emergency-access)` },
    { name: '_count', type: 'number' },
    { name: '_offset', type: 'number', documentation: 'paging: where the page starts' },
  ]);
}
