// FHIR R4 XML <-> JSON, driven by the R4 StructureDefinitions indexed by definitions.ts.
// The XML rules applied (FHIR R4 "XML representation"):
// - resources are elements named after their type in the http://hl7.org/fhir namespace;
// - primitives carry their value in a `value` attribute; their `id` attribute and `extension`
//   children go to the JSON `_name` companion (arrays are aligned, null-padded);
// - Element.id and Extension.url are XML attributes, a resource's id is an element;
// - choice elements carry the type in their name (valueString), as in JSON;
// - Narrative.div is XHTML, kept in JSON as its serialised string (unprefixed, one xmlns);
// - contained resources and Bundle entry resources are wrapped in their element
//   (<contained><Patient>...</Patient></contained>).
// JSON properties come out in the order of the definitions, so XML -> JSON -> XML is stable.
// Parsing goes through the shared XML reader: its limits apply, and documents with DOCTYPE or
// entity declarations are refused outright.
// The two directions live in xml-read.ts and xml-write.ts, the narrative in xml-narrative.ts and
// what they share in xml-shared.ts; this file is the door's one entry point to them.
export { fhirXmlToJson, type FhirXmlParseOptions } from './xml-read.js';
export { fhirJsonToXml } from './xml-write.js';
export { FHIR_NS, XHTML_NS } from './xml-shared.js';
