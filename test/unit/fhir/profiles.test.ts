// Each published profile accepts its examples (profiles/fhir/examples/) and refuses, for every
// constraint its differential states, an instance broken on exactly that constraint. The broken
// instances are derived from the differential itself, so a new constraint is tested as soon as it
// is written (an invariant needs its breaking edit listed in BREAK_INVARIANT).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { ElementDefinition, OperationOutcomeIssue, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { buildRegistry, type ConformanceRegistry } from '../../../src/fhir/conformance/registry.js';
import { profileIssues } from '../../../src/fhir/validation/validate.js';

type Json = Record<string, unknown>;

/** The one edit that breaks each invariant, applied to a copy of an example. */
const BREAK_INVARIANT: Record<string, (r: Json) => void> = {
  'carnet-dr-1': (r) => void (r.extension = [{ url: 'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-ext-is-archived', valueString: 'yes' }]),
  'carnet-dr-2': (r) => void ((r.context as Json).period = { start: '2024-02-28', end: '2024-02-20' }),
  'carnet-ss-1': (r) => void (r.identifier = (r.identifier as Json[]).filter((i) => i.use !== 'usual')),
  'carnet-ss-2': (r) => void (r.extension = (r.extension as Json[]).filter((e) => !String(e.url).endsWith('ihe-sourceId'))),
  'carnet-ss-3': (r) => void (r.extension = (r.extension as Json[]).filter((e) => !String(e.url).endsWith('ihe-designationType'))),
  'carnet-fo-1': (r) => void (r.identifier = [{ use: 'official', system: 'urn:ietf:rfc:3986', value: 'urn:uuid:0b5c6f4e-1111-4222-8333-944455556666' }]),
  'carnet-fo-3': (r) => void delete r.extension,
  'carnet-pdb-1': (r) => void (r.entry = (r.entry as Json[]).filter((e) => (e.resource as Json).resourceType !== 'List')),
  'carnet-pdb-2': (r) => void (r.entry = (r.entry as Json[]).filter((e) => (e.resource as Json).resourceType !== 'DocumentReference')),
  'carnet-pdb-3': (r) => void ((r.entry as Json[])[0].request = { method: 'DELETE', url: 'DocumentReference/x' }),
  'carnet-pdb-4': (r) => void delete r.meta,
  'carnet-consent-1': (r) => void delete (r.provision as Json).purpose,
  'carnet-ae-1': (r) => void (r.subtype = (r.subtype as Json[]).filter((c) => !String(c.system).endsWith('dmp-trace-action'))),
  'carnet-pat-1': (r) => void (r.identifier = [{ system: 'urn:oid:1.2.250.1.999', value: '42' }]),
  'carnet-sel-1': (r) => void ((r.entry as Json[])[0].item = { display: 'a document named by its title only' }),
};

/** Applies `edit` to every value of the element path (arrays: each item) in `node`. */
function atPath(node: unknown, segments: string[], edit: (parent: Json, key: string) => void): number {
  if (!node || typeof node !== 'object') return 0;
  if (Array.isArray(node)) return node.reduce((n: number, item) => n + atPath(item, segments, edit), 0);
  const obj = node as Json;
  const [head, ...rest] = segments;
  if (rest.length === 0) {
    if (obj[head] === undefined) return 0;
    edit(obj, head);
    return 1;
  }
  return atPath(obj[head], rest, edit);
}

const strip = (p: string) => p.replace(/\[\d+\]/g, '');
const errors = (issues: OperationOutcomeIssue[]) => issues.filter((i) => i.severity === 'error');
const NOT_IN_VS = { system: 'urn:oid:1.2.250.1.999.404', code: 'NOT-A-DMP-CODE' };

interface Breakage {
  what: string;
  edit: (r: Json) => number;
  /** the issue that must be reported */
  expect: (i: OperationOutcomeIssue) => boolean;
}

function breakages(sd: StructureDefinition): Breakage[] {
  const out: Breakage[] = [];
  for (const diff of sd.differential?.element ?? []) {
    const path = diff.path ?? '';
    const segments = path.split('.').slice(1);
    const el = sd.snapshot?.element?.find((e) => e.id === diff.id) as ElementDefinition & Json;
    const at = (i: OperationOutcomeIssue) => (i.expression ?? []).some((x) => strip(x).startsWith(path));
    if (segments.length && diff.min) out.push({ what: `${path} min ${diff.min}`, edit: (r) => atPath(r, segments, (o, k) => delete o[k]), expect: at });
    if (segments.length && diff.max && diff.max !== '*') {
      out.push({ what: `${path} max ${diff.max}`, edit: (r) => atPath(r, segments, (o, k) => (o[k] = [...[o[k]].flat(), ...[o[k]].flat()])), expect: at });
    }
    for (const key of Object.keys(diff).filter((k) => /^(fixed|pattern)[A-Z]/.test(k))) {
      const wrong = key.startsWith('fixed') ? 'not-the-fixed-value' : { coding: [NOT_IN_VS] };
      out.push({ what: `${path} ${key}`, edit: (r) => atPath(r, segments, (o, k) => (o[k] = wrong)), expect: at });
    }
    if (diff.binding?.strength === 'required') {
      const isCoding = (el.type ?? []).some((t) => t.code === 'Coding');
      out.push({
        what: `${path} bound to ${diff.binding.valueSet}`,
        edit: (r) => atPath(r, segments, (o, k) => (o[k] = Array.isArray(o[k]) ? [isCoding ? NOT_IN_VS : { coding: [NOT_IN_VS] }] : isCoding ? NOT_IN_VS : { coding: [NOT_IN_VS] })),
        expect: (i) => at(i) && i.code === 'code-invalid',
      });
    }
    for (const c of diff.constraint ?? []) {
      const key = c.key ?? '';
      out.push({
        what: `invariant ${key}`,
        edit: (r) => {
          const breaker = BREAK_INVARIANT[key];
          if (!breaker) throw new Error(`no breaking edit listed for invariant ${key}`);
          breaker(r);
          return 1;
        },
        expect: (i) => (i.details?.text ?? '').includes(key),
      });
    }
  }
  return out;
}

let registry: ConformanceRegistry;
beforeAll(() => {
  registry = buildRegistry();
});

const PROFILE_IDS = [
  'carnet-document-reference',
  'carnet-document-reference-minimal',
  'carnet-submissionset',
  'carnet-submissionset-minimal',
  'carnet-folder',
  'carnet-folder-minimal',
  'carnet-provide-bundle',
  'carnet-provide-bundle-minimal',
  'carnet-consent',
  'carnet-audit-event',
  'carnet-patient',
  'carnet-selection',
];

const examplesOf = (id: string) => JSON.parse(readFileSync(new URL(`../../../profiles/fhir/examples/${id}.json`, import.meta.url), 'utf8')) as Json[];

describe('published profiles', () => {
  it('are every StructureDefinition of profiles/fhir other than the extensions, each with a snapshot', () => {
    const sds = (registry.all('StructureDefinition') as StructureDefinition[]).filter((s) => s.type !== 'Extension');
    expect(sds.map((s) => s.id).sort()).toEqual([...PROFILE_IDS].sort());
    for (const sd of sds) {
      expect(sd.snapshot?.element?.[0]?.id).toBe(sd.type);
      for (const diff of sd.differential?.element ?? []) expect(sd.snapshot?.element?.some((e) => e.id === diff.id)).toBe(true);
    }
  });

  for (const id of PROFILE_IDS) {
    describe(id, () => {
      const sd = () => registry.byId('StructureDefinition', id) as StructureDefinition;
      it('accepts its examples', () => {
        for (const example of examplesOf(id)) expect(errors(profileIssues(example as unknown as Resource, sd(), registry))).toEqual([]);
      });
      it('refuses an instance broken on each constraint of its differential', () => {
        const list = breakages(sd());
        expect(list.length).toBeGreaterThan(0);
        for (const b of list) {
          let applied = 0;
          let found = false;
          for (const example of examplesOf(id)) {
            const broken = structuredClone(example);
            const n = b.edit(broken);
            if (!n) continue;
            applied += n;
            found ||= errors(profileIssues(broken as unknown as Resource, sd(), registry)).some(b.expect);
          }
          expect({ constraint: b.what, applied: applied > 0, refused: found }).toEqual({ constraint: b.what, applied: true, refused: true });
        }
      });
    });
  }
});
