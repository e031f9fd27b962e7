// Issue 12 item 7, checked on every answer of the e2e servers: an extension url or a coding
// system of Carnet's own (its canonical base, or a `urn:carnet:` name) must be a definition the
// server publishes at /fhir, a code of a complete own CodeSystem must be one of its codes, a
// Coding must name its system, and every canonical url of the base the text names
// (StructureDefinition, CodeSystem, ValueSet...) must be published. One parse and Set lookups.
import type { CodeSystem } from '@medplum/fhirtypes';
import { buildRegistry, CONFORMANCE_TYPES } from '../../src/fhir/conformance/registry.js';
import { CARNET_FHIR_BASE } from '../../src/fhir/mappings/carnet-fhir.js';

interface Published {
  urls: Set<string>;
  /** url -> codes, for the own CodeSystems whose content is complete */
  codes: Map<string, Set<string>>;
}

const byDir = new Map<string, Published>();

function publishedIn(profilesDir: string): Published {
  let p = byDir.get(profilesDir);
  if (!p) {
    const registry = buildRegistry(profilesDir);
    const urls = new Set(registry.urls());
    const codes = new Map<string, Set<string>>();
    for (const cs of registry.all('CodeSystem') as CodeSystem[]) {
      if (cs.content === 'complete') codes.set(cs.url!, new Set((cs.concept ?? []).map((c) => c.code)));
    }
    p = { urls, codes };
    byDir.set(profilesDir, p);
  }
  return p;
}

const isOwn = (url: string) => url.startsWith(`${CARNET_FHIR_BASE}/`) || url.startsWith('urn:carnet:');
const CANONICAL = new RegExp(`${CARNET_FHIR_BASE.replace(/[.]/g, '\\.')}/(${CONFORMANCE_TYPES.join('|')})/[A-Za-z0-9.-]+`, 'g');
/** where R4 puts a Coding: items of CodeableConcept.coding, meta.tag / meta.security, valueCoding */
const CODING_KEYS = new Set(['coding', 'tag', 'security', 'valueCoding']);
/** Extension's url is checked on an extension's own object, named by the key that holds it */
const EXTENSION_KEYS = new Set(['extension', 'modifierExtension']);
/** texts that may repeat what the caller sent */
const ECHOES = new Set(['diagnostics', 'text', 'div']);

export class PublishedCheck {
  private readonly problems = new Set<string>();
  private readonly published: Published;
  constructor(profilesDir: string) {
    this.published = publishedIn(profilesDir);
  }

  /**
   * Checks one answer body: `json` is its parsed value when it is JSON. Words of an error that
   * may repeat the caller's input (diagnostics, texts; any XML error) are not held against it.
   */
  inspect(where: string, text: string, json?: unknown, status = 200): void {
    if (json !== undefined) this.walk(where, json, '');
    else if (status < 400) this.canonicals(where, text);
  }

  private canonicals(where: string, text: string): void {
    for (const m of text.matchAll(CANONICAL)) {
      const url = m[0].replace(/\.$/, '');
      if (!this.published.urls.has(url)) this.problems.add(`${where}: names ${url}, not published`);
    }
  }

  private walk(where: string, value: unknown, key: string): void {
    if (typeof value === 'string') {
      if (!ECHOES.has(key)) this.canonicals(where, value);
      return;
    }
    if (Array.isArray(value)) {
      for (const v of value) this.walk(where, v, key);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const o = value as Record<string, unknown>;
    if (EXTENSION_KEYS.has(key) && typeof o.url === 'string' && isOwn(o.url) && !this.published.urls.has(o.url)) {
      this.problems.add(`${where}: extension ${o.url} is not published`);
    }
    if (CODING_KEYS.has(key) && typeof o.code === 'string') {
      if (typeof o.system !== 'string') this.problems.add(`${where}: code ${o.code} without its system`);
      else this.checkCode(where, o.system, o.code);
    }
    for (const [k, v] of Object.entries(o)) this.walk(where, v, k);
  }

  private checkCode(where: string, system: string, code: string): void {
    if (!isOwn(system)) return;
    if (!this.published.urls.has(system)) this.problems.add(`${where}: code system ${system} is not published`);
    const codes = this.published.codes.get(system);
    if (codes && !codes.has(code)) this.problems.add(`${where}: ${system} publishes no code ${code}`);
  }

  /** A fault another check found in the same answers. */
  note(problem: string): void {
    this.problems.add(problem);
  }

  /** What was found, one line each (empty when every answer was right). */
  found(): string[] {
    return [...this.problems];
  }
}
