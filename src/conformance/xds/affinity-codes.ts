// Affinity-domain codes: the toolkit is configured per affinity domain, so a run against the DMP
// sends DMP codes where the test plans carry the NIST environment's. Outgoing submissions and
// coded query parameters are mapped with one table (affinity-table.ts); answers are read back
// into the toolkit's codes, so the test plans' assertions (written in toolkit codes) still hold.
// A toolkit typeCode seen with several classes becomes one DMP type per (type, class) pair, and
// a query on that typeCode asks for every DMP type it became in this run.
import { DE_SCHEME, FD_SCHEME, SS_SCHEME } from '../../xds/ebrim/constants.js';
import { parseValue } from '../../xds/query/values.js';
import { attr, childElements, parseXml, TRUSTED_XML_LIMITS, serializeXml, textOf, type Element, selfAndDescendants } from '../../xml/index.js';
import { codeKey, type AffinityTable, type CodedValue, type MappedAttribute, type SingleAttribute } from './affinity-table.js';

const SCHEME_ATTRIBUTE = new Map<string, MappedAttribute>([
  [DE_SCHEME.classCode, 'classCode'],
  [DE_SCHEME.typeCode, 'typeCode'],
  [DE_SCHEME.formatCode, 'formatCode'],
  [DE_SCHEME.healthcareFacilityTypeCode, 'healthcareFacilityTypeCode'],
  [DE_SCHEME.confidentialityCode, 'confidentialityCode'],
]);

const QUERY_SLOT_ATTRIBUTE = new Map<string, MappedAttribute>([
  ['$XDSDocumentEntryClassCode', 'classCode'],
  ['$XDSDocumentEntryTypeCode', 'typeCode'],
  ['$XDSDocumentEntryFormatCode', 'formatCode'],
  ['$XDSDocumentEntryHealthcareFacilityTypeCode', 'healthcareFacilityTypeCode'],
  ['$XDSDocumentEntryConfidentialityCode', 'confidentialityCode'],
]);

const UNIQUE_ID_SCHEMES = new Set<string>([DE_SCHEME.uniqueId, SS_SCHEME.uniqueId, FD_SCHEME.uniqueId]);

interface CodedNode {
  el: Element;
  attribute: MappedAttribute;
  value: CodedValue;
}

function schemeSlotValue(cl: Element): Element | undefined {
  const slot = childElements(cl).find((c) => c.localName === 'Slot' && attr(c, 'name') === 'codingScheme');
  const list = slot && childElements(slot).find((c) => c.localName === 'ValueList');
  return list && childElements(list).find((c) => c.localName === 'Value');
}

function nameValue(cl: Element): Element | undefined {
  const name = childElements(cl).find((c) => c.localName === 'Name');
  return name && childElements(name).find((c) => c.localName === 'LocalizedString');
}

function write(n: CodedNode, v: CodedValue): void {
  n.el.setAttribute('nodeRepresentation', v.code);
  const s = schemeSlotValue(n.el);
  if (s) s.textContent = v.scheme;
  const name = nameValue(n.el);
  if (name && v.display !== undefined) name.setAttribute('value', v.display);
}

/** Coded classifications of each object (nested, or top level naming their object). */
function codedByOwner(root: Element): Map<Element, CodedNode[]> {
  const els = selfAndDescendants(root);
  const byId = new Map(els.filter((e) => attr(e, 'id') && (e.localName === 'ExtrinsicObject' || e.localName === 'RegistryPackage')).map((e) => [attr(e, 'id')!, e]));
  const out = new Map<Element, CodedNode[]>();
  for (const cl of els) {
    if (cl.localName !== 'Classification') continue;
    const attribute = SCHEME_ATTRIBUTE.get(attr(cl, 'classificationScheme') ?? '');
    if (!attribute) continue;
    const parent = cl.parentNode as Element | null;
    const owner = parent && (parent.localName === 'ExtrinsicObject' || parent.localName === 'RegistryPackage') ? parent : byId.get(attr(cl, 'classifiedObject') ?? '');
    if (!owner) continue;
    const scheme = schemeSlotValue(cl);
    const value: CodedValue = { code: attr(cl, 'nodeRepresentation') ?? '', scheme: scheme ? textOf(scheme).trim() : '' };
    const name = nameValue(cl);
    if (name) value.display = attr(name, 'value');
    const list = out.get(owner) ?? [];
    list.push({ el: cl, attribute, value });
    out.set(owner, list);
  }
  return out;
}

function uniqueIdOf(owner: Element): string | undefined {
  const ei = childElements(owner).find((c) => c.localName === 'ExternalIdentifier' && UNIQUE_ID_SCHEMES.has(attr(c, 'identificationScheme') ?? ''));
  return ei ? attr(ei, 'value') : undefined;
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

export class AffinityCodeMapper {
  /** toolkit type code -> DMP types it became in this run */
  private readonly seenTypes = new Map<string, Set<string>>();
  /** attribute -> DMP code -> the toolkit code last sent as it */
  private readonly sent = new Map<MappedAttribute, Map<string, CodedValue>>();
  /** object (entry id or uniqueId) -> attribute -> DMP code -> toolkit code sent on it */
  private readonly byObject = new Map<string, Map<MappedAttribute, Map<string, CodedValue>>>();
  /** DMP type -> the toolkit class sent with it */
  private readonly classOfType = new Map<string, CodedValue>();

  constructor(private readonly table: AffinityTable) {}

  private single(attribute: SingleAttribute, v: CodedValue): CodedValue | undefined {
    return this.table.single[attribute].get(codeKey(v.code, v.scheme));
  }

  private remember(keys: string[], attribute: MappedAttribute, dmp: CodedValue, toolkit: CodedValue): void {
    let m = this.sent.get(attribute);
    if (!m) this.sent.set(attribute, (m = new Map()));
    m.set(dmp.code, toolkit);
    for (const k of keys) {
      let o = this.byObject.get(k);
      if (!o) this.byObject.set(k, (o = new Map()));
      let a = o.get(attribute);
      if (!a) o.set(attribute, (a = new Map()));
      a.set(dmp.code, toolkit);
    }
  }

  /** Puts DMP codes on the DocumentEntries, SubmissionSets and Folders of a SubmitObjectsRequest. */
  mapSubmission(xml: string): string {
    const doc = parseXml(xml, TRUSTED_XML_LIMITS);
    const byOwner = codedByOwner(doc.documentElement!);
    if (!byOwner.size) return xml;
    for (const [owner, nodes] of byOwner) {
      const keys = [attr(owner, 'id'), uniqueIdOf(owner)].filter((k): k is string => !!k);
      const cls = nodes.find((n) => n.attribute === 'classCode');
      for (const n of nodes) {
        let dmp: CodedValue | undefined;
        if (n.attribute === 'typeCode') {
          dmp = cls ? this.table.typeByClass.get(n.value.code)?.get(cls.value.code) : undefined;
          if (dmp) {
            const seen = this.seenTypes.get(n.value.code) ?? new Set<string>();
            this.seenTypes.set(n.value.code, seen.add(dmp.code));
            this.classOfType.set(dmp.code, cls!.value);
          }
        } else {
          dmp = this.single(n.attribute, n.value);
        }
        if (!dmp) continue;
        this.remember(keys, n.attribute, dmp, n.value);
        write(n, dmp);
      }
    }
    return serializeXml(doc);
  }

  /** The DMP codes a toolkit query code stands for (none: leave it as it is). */
  private queryCodes(attribute: MappedAttribute, code: string, scheme: string): CodedValue[] | undefined {
    if (attribute !== 'typeCode') {
      const v = this.single(attribute, { code, scheme });
      return v && [v];
    }
    const byClass = this.table.typeByClass.get(code);
    if (!byClass) return undefined;
    const all = [...byClass.values()];
    const seen = this.seenTypes.get(code);
    // What this run sent under that typeCode; before any submission, every type it may become.
    return seen?.size ? all.filter((v) => seen.has(v.code)) : all;
  }

  /** Maps the coded parameters ('code^^scheme') of an AdhocQueryRequest. */
  mapQuery(xml: string): string {
    const doc = parseXml(xml, TRUSTED_XML_LIMITS);
    let changed = false;
    for (const slot of selfAndDescendants(doc.documentElement!)) {
      if (slot.localName !== 'Slot') continue;
      const attribute = QUERY_SLOT_ATTRIBUTE.get(attr(slot, 'name') ?? '');
      if (!attribute) continue;
      const values = childElements(slot).flatMap((l) => (l.localName === 'ValueList' ? childElements(l) : []));
      for (const v of values) {
        let tokens;
        try {
          tokens = parseValue(textOf(v), attr(slot, 'name')!);
        } catch {
          continue; // malformed on purpose: the server must see it as it is
        }
        const items: string[] = [];
        let mapped = false;
        for (const t of tokens) {
          const [code, scheme] = t.value.split('^^');
          const dmp = t.quoted && scheme ? this.queryCodes(attribute, code!, scheme) : undefined;
          if (dmp?.length) {
            mapped = true;
            items.push(...dmp.map((d) => quote(codeKey(d.code, d.scheme))));
          } else {
            items.push(t.quoted ? quote(t.value) : t.value);
          }
        }
        if (mapped) {
          v.textContent = `(${items.join(', ')})`;
          changed = true;
        }
      }
    }
    return changed ? serializeXml(doc) : xml;
  }

  /** Reads an answer's DMP codes back as the toolkit codes that were sent (in place). */
  restoreAnswer(root: Element): void {
    for (const [owner, nodes] of codedByOwner(root)) {
      const keys = [attr(owner, 'id'), attr(owner, 'lid'), uniqueIdOf(owner)].filter((k): k is string => !!k);
      const type = nodes.find((n) => n.attribute === 'typeCode');
      for (const n of nodes) {
        const fromObject = keys.map((k) => this.byObject.get(k)?.get(n.attribute)?.get(n.value.code)).find((x) => x);
        const fromType = n.attribute === 'classCode' && type ? this.classOfType.get(type.value.code) : undefined;
        const back = fromType ?? fromObject ?? this.sent.get(n.attribute)?.get(n.value.code);
        if (back) write(n, back);
      }
    }
  }
}
