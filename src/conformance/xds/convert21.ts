// ebRIM 2.1 -> 3.0, as the toolkit sends its many 2.1 metadata files over XDS.b:
// - `rs:SubmitObjectsRequest`/`rim:LeafRegistryObjectList` (2.1) become `lcm:SubmitObjectsRequest`/
//   `rim:RegistryObjectList` (3.0);
// - 3.0 requires an id on every object: Classifications, ExternalIdentifiers and Associations
//   without one get a symbolic id (`ID_<n>`), which the UUID pass may later turn into a UUID;
// - nested Classifications/ExternalIdentifiers name their owner (classifiedObject/registryObject);
// - short association types (HasMember, RPLC, ...) become their URNs;
// - children follow the 3.0 order (Slot, Name, Description, VersionInfo, Classification,
//   ExternalIdentifier); empty Name/Description are left out;
// - ObjectRefs that only declared classification schemes (2.1 wanted them, 3.0 does not) are
//   dropped; an ObjectRef to an object the submission points at is kept.
import { NS, attr, childElements, escapeAttr, escapeText, parseXml, TRUSTED_XML_LIMITS, textOf } from '../../xml/index.js';
import type { Element } from '../../xml/index.js';
import { OBJECT_TYPE } from '../../xds/ebrim/constants.js';

export const RIM21 = 'urn:oasis:names:tc:ebxml-regrep:rim:xsd:2.1';
export const RS21 = 'urn:oasis:names:tc:ebxml-regrep:registry:xsd:2.1';

const SHORT_ASSOCIATION: Record<string, string> = {
  HasMember: 'urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember',
  RPLC: 'urn:ihe:iti:2007:AssociationType:RPLC',
  APND: 'urn:ihe:iti:2007:AssociationType:APND',
  XFRM: 'urn:ihe:iti:2007:AssociationType:XFRM',
  XFRM_RPLC: 'urn:ihe:iti:2007:AssociationType:XFRM_RPLC',
  signs: 'urn:ihe:iti:2007:AssociationType:signs',
};

const REFERRING_ATTRIBUTES = ['sourceObject', 'targetObject', 'classifiedObject', 'registryObject', 'lid'];
const CHILD_ORDER = ['Slot', 'Name', 'Description', 'VersionInfo', 'Classification', 'ExternalIdentifier'];

/** True when the text is ebRIM 2.1 metadata (a 2.1 namespace is declared). */
export function isEbRim21(xml: string): boolean {
  return xml.includes(RIM21) || xml.includes(RS21);
}

interface Ctx {
  next: () => string;
}

function attrs(pairs: [string, string | undefined][]): string {
  return pairs
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeAttr(v!)}"`)
    .join('');
}

/** Every attribute except namespace declarations, in document order. */
function ownAttributes(el: Element): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i)!;
    if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
    out.push([a.name, a.value]);
  }
  return out;
}

function withAttributes(el: Element, override: Record<string, string | undefined>): string {
  const seen = new Set<string>();
  const pairs: [string, string | undefined][] = [];
  for (const [k, v] of ownAttributes(el)) {
    seen.add(k);
    pairs.push([k, k in override ? override[k] : v]);
  }
  for (const [k, v] of Object.entries(override)) if (!seen.has(k)) pairs.push([k, v]);
  return attrs(pairs);
}

function slot(el: Element): string {
  const values = childElements(el)
    .filter((c) => c.localName === 'ValueList')
    .flatMap((vl) => childElements(vl).filter((v) => v.localName === 'Value'))
    .map((v) => `<rim:Value>${escapeText(textOf(v))}</rim:Value>`)
    .join('');
  return `<rim:Slot${withAttributes(el, {})}><rim:ValueList>${values}</rim:ValueList></rim:Slot>`;
}

function localized(el: Element): string {
  const strings = childElements(el).filter((c) => c.localName === 'LocalizedString');
  if (!strings.length) return '';
  const inner = strings.map((s) => `<rim:LocalizedString${withAttributes(s, {})}/>`).join('');
  return `<rim:${el.localName}>${inner}</rim:${el.localName}>`;
}

/** Copies an element we have no special rule for, moving it to the rim 3.0 namespace. */
function generic(el: Element): string {
  const kids = childElements(el);
  const body = kids.length ? kids.map(generic).join('') : escapeText(textOf(el));
  return `<rim:${el.localName}${withAttributes(el, {})}>${body}</rim:${el.localName}>`;
}

function classification(el: Element, owner: string | undefined, ctx: Ctx): string {
  const id = attr(el, 'id') || ctx.next();
  const inner = ordered(el, id, ctx);
  return `<rim:Classification${withAttributes(el, {
    id,
    classifiedObject: attr(el, 'classifiedObject') ?? owner,
    objectType: attr(el, 'objectType') ?? OBJECT_TYPE.classification,
  })}>${inner}</rim:Classification>`;
}

function externalIdentifier(el: Element, owner: string | undefined, ctx: Ctx): string {
  const id = attr(el, 'id') || ctx.next();
  const inner = ordered(el, id, ctx);
  return `<rim:ExternalIdentifier${withAttributes(el, {
    id,
    registryObject: attr(el, 'registryObject') ?? owner,
    objectType: attr(el, 'objectType') ?? OBJECT_TYPE.externalIdentifier,
  })}>${inner}</rim:ExternalIdentifier>`;
}

/** The children of a registry object, converted and in 3.0 order. */
function ordered(el: Element, ownerId: string, ctx: Ctx): string {
  const kids = childElements(el);
  const rank = (local: string) => {
    const i = CHILD_ORDER.indexOf(local);
    return i < 0 ? CHILD_ORDER.length : i;
  };
  return kids
    .map((k, i) => ({ k, i, r: rank(k.localName ?? '') }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map(({ k }) => {
      switch (k.localName) {
        case 'Slot':
          return slot(k);
        case 'Name':
        case 'Description':
          return localized(k);
        case 'Classification':
          return classification(k, ownerId, ctx);
        case 'ExternalIdentifier':
          return externalIdentifier(k, ownerId, ctx);
        default:
          return generic(k);
      }
    })
    .join('');
}

function registryObject(el: Element, ctx: Ctx): string {
  const local = el.localName!;
  const id = attr(el, 'id') || ctx.next();
  const override: Record<string, string | undefined> = { id };
  if (local === 'Association') {
    const type = attr(el, 'associationType') ?? '';
    override.associationType = SHORT_ASSOCIATION[type] ?? type;
    override.objectType = attr(el, 'objectType') ?? OBJECT_TYPE.association;
  }
  if (local === 'RegistryPackage') override.objectType = attr(el, 'objectType') ?? OBJECT_TYPE.registryPackage;
  return `<rim:${local}${withAttributes(el, override)}>${ordered(el, id, ctx)}</rim:${local}>`;
}

function referencedIds(list: Element): Set<string> {
  const out = new Set<string>();
  const walk = (el: Element) => {
    for (const a of REFERRING_ATTRIBUTES) {
      const v = attr(el, a);
      if (v) out.add(v);
    }
    childElements(el).forEach(walk);
  };
  childElements(list).forEach(walk);
  return out;
}

/**
 * Converts an ebRIM 2.1 SubmitObjectsRequest (or a bare LeafRegistryObjectList) to an ebRIM 3.0
 * `lcm:SubmitObjectsRequest`. `idPrefix` keeps generated ids unique across the files of a run.
 */
export function convertEbRim21(xml: string, idPrefix = 'ID'): string {
  const root = parseXml(xml, TRUSTED_XML_LIMITS).documentElement!;
  const list =
    root.localName === 'LeafRegistryObjectList' ? root : childElements(root).find((c) => c.localName === 'LeafRegistryObjectList');
  if (!list) throw new Error(`ebRIM 2.1 <${root.localName}> has no LeafRegistryObjectList`);
  let n = 0;
  const ctx: Ctx = { next: () => `${idPrefix}_${++n}` };
  const referenced = referencedIds(list);
  const parts: string[] = [];
  for (const el of childElements(list)) {
    switch (el.localName) {
      case 'ObjectRef': {
        const id = attr(el, 'id');
        if (id && referenced.has(id)) parts.push(`<rim:ObjectRef${withAttributes(el, {})}/>`);
        break;
      }
      case 'ExtrinsicObject':
      case 'RegistryPackage':
      case 'Association':
        parts.push(registryObject(el, ctx));
        break;
      case 'Classification':
        parts.push(classification(el, undefined, ctx));
        break;
      case 'ExternalIdentifier':
        parts.push(externalIdentifier(el, undefined, ctx));
        break;
      default:
        parts.push(generic(el));
    }
  }
  return (
    `<lcm:SubmitObjectsRequest xmlns:lcm="${NS.lcm}" xmlns:rim="${NS.rim}">` +
    `<rim:RegistryObjectList>${parts.join('')}</rim:RegistryObjectList>` +
    `</lcm:SubmitObjectsRequest>`
  );
}
