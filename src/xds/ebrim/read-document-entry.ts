// ebRIM ExtrinsicObject -> DocumentEntry metadata. The document entry carries most of XDS's
// metadata (codes, times, hash, size, URI), so its reading stands alone from the packages and
// associations around it.
import type { Author, Coded, DocumentEntryMetadata } from '../../domain/model.js';
import { NS, attr, childElements } from '../../xml/index.js';
import type { Element } from '../../xml/index.js';
import { DE_SCHEME, NODE, OBJECT_TYPE } from './constants.js';
import { extraSlots, localized, problem, readAuthor, readCoded, readExternalIds, readPatientId, readSlots, readStatus, readVersion, single, takeSingleCode, type Problems } from './read-fields.js';

export interface ReadDocumentEntry {
  id: string;
  metadata: DocumentEntryMetadata;
}

const DOCUMENT_SLOTS = new Set([
  'creationTime',
  'languageCode',
  'sourcePatientId',
  'sourcePatientInfo',
  'hash',
  'size',
  'repositoryUniqueId',
  'serviceStartTime',
  'serviceStopTime',
  'legalAuthenticator',
  'URI',
  'urn:ihe:iti:xds:2013:referenceIdList',
]);

export function readDocumentEntry(eo: Element, classifications: Element[], externalIds: Element[], problems: Problems): ReadDocumentEntry {
  const id = attr(eo, 'id') ?? '';
  const loc = id || 'ExtrinsicObject';
  if (!id) problem(problems, loc, 'an ExtrinsicObject has no id');
  const slots = readSlots(eo, problems, loc);
  const mimeType = attr(eo, 'mimeType');
  if (!mimeType) problem(problems, loc, `mimeType is missing on ${loc}`);

  const objectType = attr(eo, 'objectType');
  let kind: 'stable' | 'on-demand' | undefined;
  if (objectType === OBJECT_TYPE.stableDocumentEntry) kind = 'stable';
  else if (objectType === OBJECT_TYPE.onDemandDocumentEntry) kind = 'on-demand';
  else problem(problems, loc, `objectType of ${loc} must be the stable or on-demand DocumentEntry type (got ${objectType ?? 'none'})`);

  const coded: Record<string, Coded[]> = {};
  const authors: Author[] = [];
  let limited = false;
  for (const cl of [...childElements(eo, NS.rim, 'Classification'), ...classifications]) {
    const scheme = attr(cl, 'classificationScheme');
    const node = attr(cl, 'classificationNode');
    if (node === NODE.limitedDocumentEntry) {
      limited = true;
      continue;
    }
    if (!scheme) continue;
    if (scheme === DE_SCHEME.author) {
      authors.push(readAuthor(cl, problems, loc));
      continue;
    }
    const name = Object.entries(DE_SCHEME).find(([, v]) => v === scheme)?.[0];
    if (!name || name === 'patientId' || name === 'uniqueId') continue;
    const c = readCoded(cl, problems, loc, name);
    if (c) (coded[name] ??= []).push(c);
  }

  const ei = readExternalIds(eo, externalIds, problems, loc);
  const uniqueId = ei.byScheme.get(DE_SCHEME.uniqueId);
  if (!uniqueId) problem(problems, loc, `XDSDocumentEntry.uniqueId is missing on ${loc}`);
  const patientId = readPatientId(ei.byScheme.get(DE_SCHEME.patientId), problems, loc, 'XDSDocumentEntry.patientId');

  const md: DocumentEntryMetadata = {
    uniqueId: uniqueId ?? '',
    patientId,
    mimeType: mimeType ?? '',
    confidentialityCodes: coded['confidentialityCode'] ?? [],
    eventCodes: coded['eventCodeList'] ?? [],
    authors,
    referenceIds: slots.get('urn:ihe:iti:xds:2013:referenceIdList')?.values ?? [],
  };
  if (id.startsWith('urn:uuid:')) md.entryUuid = id;
  const lid = attr(eo, 'lid');
  if (lid) md.logicalId = lid;
  const version = readVersion(eo, problems, loc);
  if (version !== undefined) md.version = version;
  const status = readStatus(eo, problems, loc);
  if (status) md.availabilityStatus = status;
  if (kind) md.objectType = kind;
  if (limited) md.limitedMetadata = true;
  const home = attr(eo, 'home');
  if (home) md.homeCommunityId = home;

  for (const key of ['classCode', 'typeCode', 'formatCode', 'healthcareFacilityTypeCode', 'practiceSettingCode'] as const) {
    const c = takeSingleCode(coded[key] ?? [], problems, loc, key);
    if (c) md[key] = c;
  }

  const str = (name: string) => single(slots, name, problems, loc);
  const assign = <K extends keyof DocumentEntryMetadata>(key: K, value: DocumentEntryMetadata[K] | undefined) => {
    if (value !== undefined) md[key] = value;
  };
  assign('creationTime', str('creationTime'));
  assign('languageCode', str('languageCode'));
  assign('sourcePatientId', str('sourcePatientId'));
  assign('hash', str('hash')?.toLowerCase());
  assign('repositoryUniqueId', str('repositoryUniqueId'));
  assign('serviceStartTime', str('serviceStartTime'));
  assign('serviceStopTime', str('serviceStopTime'));
  assign('legalAuthenticator', str('legalAuthenticator'));
  const spi = slots.get('sourcePatientInfo');
  if (spi) md.sourcePatientInfo = spi.values;
  const size = str('size');
  if (size !== undefined) {
    if (/^[0-9]+$/.test(size)) md.size = Number(size);
    else problem(problems, loc, `size of ${loc} is not a non-negative integer: ${size}`);
  }
  const uri = slots.get('URI');
  if (uri) md.uri = joinUri(uri.values);
  for (const dt of ['creationTime', 'serviceStartTime', 'serviceStopTime'] as const) {
    const v = md[dt];
    if (v !== undefined && !/^[0-9]{4,14}$/.test(v)) problem(problems, loc, `${dt} of ${loc} is not an HL7 DTM (YYYY[MMDD[hh[mm[ss]]]]): ${v}`);
  }
  assign('title', localized(eo, 'Name'));
  assign('comments', localized(eo, 'Description'));
  const extra = extraSlots(slots, DOCUMENT_SLOTS);
  if (extra) md.extraSlots = extra;
  return { id, metadata: md };
}

/** The URI slot: one value, or the XDS.a multi-value form `1|part`, `2|part`... */
function joinUri(values: string[]): string {
  if (values.length === 1 && !/^[0-9]+\|/.test(values[0]!)) return values[0]!;
  return values
    .map((v) => {
      const m = /^([0-9]+)\|(.*)$/.exec(v);
      return m ? { n: Number(m[1]), s: m[2]! } : { n: 0, s: v };
    })
    .sort((a, b) => a.n - b.n)
    .map((p) => p.s)
    .join('');
}
