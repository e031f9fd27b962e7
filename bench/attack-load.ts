// The load of the attack benchmark, in processes of their own (attack.ts starts them): the
// measuring client (role `probe`: GET /health and an ITI-67 search in turn) in one process, and
// the four attackers (role `attack`: the worst bodies the limits admit and the largest they
// refuse, in turn) in another, so that sending 60 MB bodies never delays the measuring client's
// own clock. Each prints one JSON line: the probe its latencies, the attackers their counts.
import { randomUUID } from 'node:crypto';
import type { InputLimits } from '../src/config/config.js';
import { NS } from '../src/xml/names.js';
import { provideBundle } from '../test/support/mhd-bundle.js';
import { percentile } from './stats.js';

export interface ProbeStats {
  count: number;
  failed: number;
  p50: number;
  p99: number;
}

export interface ProbeReport {
  health: ProbeStats;
  search: ProbeStats;
}

export interface AttackReport {
  attacks: Record<string, { count: number; statuses: Record<string, number>; p50: number; p99: number }>;
  /** the most bytes the four attackers can have on the wire at once */
  bytesInFlight: number;
}

interface Attack {
  name: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

const SOAP = `application/soap+xml; charset=UTF-8; action="urn:ihe:iti:2007:RegistryStoredQuery"`;

function envelope(header: string, body = '<x/>'): string {
  return (
    `<env:Envelope xmlns:env="${NS.soap12}" xmlns:wsa="${NS.wsa}"><env:Header><wsa:Action>urn:ihe:iti:2007:RegistryStoredQuery</wsa:Action>` +
    `<wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID>${header}</env:Header><env:Body>${body}</env:Body></env:Envelope>`
  );
}

/** The bodies, from the server's own limits: just within each, and past them. */
function attacks(limits: InputLimits, documentBodyLimit: number, token: string): Attack[] {
  const fhir = (type: string) => ({ authorization: `Bearer ${token}`, 'content-type': type });
  const x = limits.xml;
  const j = limits.json;
  const elements = x.maxElements - 50;
  const headerElements = limits.soapMaxHeaderElements - 10;
  const fhirNames = Math.floor((x.maxElements - 10) / 3);
  // An ITI-65 Bundle at the entry limit (a document and its Binary per pair of entries) or at the
  // documents' (CARNET_SUBMISSION_MAX_DOCUMENTS), whichever is met first, for a patient no record
  // has: checked whole against the MHD profiles, then refused, nothing stored.
  const documents = Math.min(Math.floor((j.maxBundleEntries - 1) / 2), limits.submissionMaxDocuments);
  const iti65 = provideBundle({ patient: `Patient/${randomUUID()}`, docs: Array.from({ length: documents }, (_, i) => ({ typeCode: '11490-0', content: `document ${i}` })) });
  const bigDocument = Buffer.from(JSON.stringify(provideBundle({ patient: `Patient/${randomUUID()}`, docs: [{ content: Buffer.alloc(Math.floor(documentBodyLimit * 0.7), 0x41), mimeType: 'application/pdf' }] })));
  return [
    // Admitted by the limits: the Header (at its own bound) parsed, refused at identity (no
    // assertion), the Body at the element limit never parsed: anonymous.
    {
      name: `XDS, ${headerElements.toLocaleString('en')} elements in wsse:Security and ${(elements - headerElements).toLocaleString('en')} in the Body, no assertion`,
      path: '/xds/registry',
      headers: { 'content-type': SOAP },
      body: Buffer.from(envelope(`<wsse:Security xmlns:wsse="${NS.wsse}">${'<x/>'.repeat(headerElements)}</wsse:Security>`, `<b>${'<x/>'.repeat(elements - headerElements)}</b>`)),
    },
    // Refused by the Header's bound before any tree: the same elements all in wsse:Security.
    { name: `XDS, ${elements.toLocaleString('en')} elements in wsse:Security (refused at the Header's bound)`, path: '/xds/registry', headers: { 'content-type': SOAP }, body: Buffer.from(envelope(`<wsse:Security xmlns:wsse="${NS.wsse}">${'<x/>'.repeat(elements)}</wsse:Security>`)) },
    // Authenticated ITI-65 in JSON just under the document body limit (one document): read on
    // the worker (its base64 decoded there), checked, then refused for its unknown patient.
    { name: `FHIR ITI-65 JSON of ${(bigDocument.length / 1024 / 1024).toFixed(0)} MB (one document), unknown patient`, path: '/fhir', headers: fhir('application/fhir+json'), body: bigDocument },
    // Authenticated ITI-65 at the Bundle entry limit: every profile checked, then refused.
    { name: `FHIR ITI-65 Bundle of ${(iti65.entry?.length ?? 0).toLocaleString('en')} entries, unknown patient`, path: '/fhir', headers: fhir('application/fhir+json'), body: Buffer.from(JSON.stringify(iti65)) },
    // Refused by the scan: an XML part just under its byte limit, full of elements.
    { name: `XDS, ${(x.maxBytes / 1024 / 1024).toFixed(0)} MB of elements (refused at element ${(x.maxElements + 1).toLocaleString('en')})`, path: '/xds/registry', headers: { 'content-type': SOAP }, body: Buffer.from(envelope(`<h>${'<x/>'.repeat(Math.floor((x.maxBytes - 1024) / 4))}</h>`)) },
    // Refused by size, after reading: an XML part 1 MB over its limit.
    { name: `XDS, XML part ${((x.maxBytes + 1024 * 1024) / 1024 / 1024).toFixed(0)} MB (refused by size)`, path: '/xds/registry', headers: { 'content-type': SOAP }, body: Buffer.from(envelope(`<h>${'a'.repeat(x.maxBytes + 1024 * 1024)}</h>`)) },
    // Authenticated FHIR XML within the limits: parsed, converted, validated.
    { name: `FHIR XML Patient with ${fhirNames.toLocaleString('en')} names`, path: '/fhir/Patient', headers: fhir('application/fhir+xml'), body: Buffer.from(`<Patient xmlns="http://hl7.org/fhir">${'<name><family value="Durand"/><given value="Jeanne"/></name>'.repeat(fhirNames)}</Patient>`) },
    // Authenticated FHIR JSON within the limits: an array at its longest.
    { name: `FHIR JSON Patient with ${(j.maxArrayLength - 1).toLocaleString('en')} names`, path: '/fhir/Patient', headers: fhir('application/fhir+json'), body: Buffer.from(JSON.stringify({ resourceType: 'Patient', name: Array.from({ length: j.maxArrayLength - 1 }, () => ({ family: 'Durand' })) })) },
    // Refused by the JSON scan: nesting far past the depth limit, just under the body limit.
    { name: 'FHIR JSON nested 500,000 deep (refused at depth)', path: '/fhir/Patient', headers: fhir('application/fhir+json'), body: Buffer.from('['.repeat(500_000) + ']'.repeat(500_000)) },
  ];
}

async function timed(url: string, init: RequestInit): Promise<{ ms: number; status: number }> {
  const t = process.hrtime.bigint();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
    await res.arrayBuffer();
    return { ms: Number(process.hrtime.bigint() - t) / 1e6, status: res.status };
  } catch {
    return { ms: Number(process.hrtime.bigint() - t) / 1e6, status: 0 };
  }
}

function stats(samples: Array<{ ms: number; status: number }>, ok: (status: number) => boolean): ProbeStats {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  return { count: samples.length, failed: samples.filter((s) => !ok(s.status)).length, p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

type Sample = { ms: number; status: number };

/** GET /health and an ITI-67 page in turn, from `start` until `end` (epoch ms). */
async function probe(args: Record<string, string>): Promise<ProbeReport> {
  const auth = { authorization: `Bearer ${args.token}` };
  const health: Sample[] = [];
  const search: Sample[] = [];
  await untilTime(Number(args.start));
  while (Date.now() < Number(args.end)) {
    health.push(await timed(`${args.base}/health`, {}));
    search.push(await timed(`${args.base}/fhir/DocumentReference?patient=Patient/${args.patientKey}&_count=20`, { headers: auth }));
  }
  return { health: stats(health, (s) => s === 200), search: stats(search, (s) => s === 200) };
}

/** Four attackers, each posting the bodies in turn (from its own offset) until `end`. */
async function attack(args: Record<string, string>): Promise<AttackReport> {
  const bodies = attacks(JSON.parse(args.limits!) as InputLimits, Number(args.documentBodyLimit), args.token!);
  const results = new Map<string, Sample[]>(bodies.map((b) => [b.name, []]));
  const attacker = async (offset: number) => {
    for (let i = offset; Date.now() < Number(args.end); i++) {
      const a = bodies[i % bodies.length]!;
      results.get(a.name)!.push(await timed(`${args.base}${a.path}`, { method: 'POST', headers: a.headers, body: a.body as unknown as RequestInit['body'] }));
    }
  };
  await untilTime(Number(args.start));
  await Promise.all([0, 1, 2, 3].map((o) => attacker(o)));
  return {
    attacks: Object.fromEntries(
      [...results].map(([name, samples]) => {
        const statuses: Record<string, number> = {};
        for (const s of samples) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
        const st = stats(samples, () => true);
        return [name, { count: st.count, statuses, p50: st.p50, p99: st.p99 }];
      }),
    ),
    bytesInFlight: 4 * Math.max(0, ...bodies.map((b) => b.body.length)),
  };
}

function untilTime(epochMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, epochMs - Date.now())));
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as Record<string, string>;
  const report = args.role === 'attack' ? await attack(args) : await probe(args);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
