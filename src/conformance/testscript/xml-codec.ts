// The FHIR XML <-> JSON codec lives in src/fhir/xml.ts (another module's job). It is loaded lazily
// so that JSON-only runs keep working when that module is missing or broken.
export interface XmlCodec {
  fhirXmlToJson(xml: string): unknown;
  fhirJsonToXml(resource: unknown): string;
}

let codec: XmlCodec | undefined;
let loadError: string | undefined;

/** Loads src/fhir/xml.ts once; later calls return the cached module (or undefined). */
export async function loadXmlCodec(): Promise<XmlCodec | undefined> {
  if (codec || loadError) return codec;
  const specifier = '../../fhir/xml.js';
  try {
    const mod = (await import(specifier)) as Partial<XmlCodec>;
    if (typeof mod.fhirXmlToJson !== 'function' || typeof mod.fhirJsonToXml !== 'function') {
      throw new Error('src/fhir/xml.ts does not export fhirXmlToJson and fhirJsonToXml');
    }
    codec = { fhirXmlToJson: mod.fhirXmlToJson, fhirJsonToXml: mod.fhirJsonToXml };
  } catch (err) {
    loadError = err instanceof Error ? err.message : String(err);
  }
  return codec;
}

/** The loaded codec; throws a readable error when FHIR XML support is unavailable. */
export function xmlCodec(): XmlCodec {
  if (!codec) throw new Error(`FHIR XML support unavailable (${loadError ?? 'codec not loaded'})`);
  return codec;
}
