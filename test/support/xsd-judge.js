// Issue 12 proof, XML half: every FHIR XML answer of the e2e servers is valid against the
// official R4 XML Schema (test/fixtures/fhir/xsd/), judged by libxml2 (run as WebAssembly, so
// nothing is built on install): an independent judge, not the server's own XML reader.
// Compiling the 2.6 MB schema costs seconds and libxml2 cannot keep a compiled schema on disk.
// Plain JavaScript, loaded by the test environment (test/support/environment.js) outside the test
// files' module registry: the schema is then compiled once per Jest process, on the first XML
// answer, rather than once per test file; a process that never judges XML never pays for it.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XmlBufferInputProvider, XmlDocument, XmlLibError, xmlRegisterInputProvider, XsdValidator } from 'libxml2-wasm';

const XSD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'fhir', 'xsd');
/** fhir-single.xsd imports these two by relative name; they are served from memory, not the disk */
const IMPORTED = ['xml.xsd', 'fhir-xhtml.xsd'];

let validator;

function compiled() {
  if (validator) return validator;
  xmlRegisterInputProvider(new XmlBufferInputProvider(Object.fromEntries(IMPORTED.map((f) => [f, readFileSync(join(XSD_DIR, f))]))));
  // The schema document lives as long as the process: the compiled schema may point into it.
  const schema = XmlDocument.fromBuffer(readFileSync(join(XSD_DIR, 'fhir-single.xsd')), { url: 'fhir-single.xsd' });
  validator = XsdValidator.fromDoc(schema);
  return validator;
}

/** What the R4 XML Schema finds wrong in one XML document (none when it is valid). */
export function xsdErrors(xml) {
  const v = compiled();
  let doc;
  try {
    doc = XmlDocument.fromString(xml);
  } catch (e) {
    return [`not well-formed: ${e.message.trim()}`];
  }
  try {
    v.validate(doc);
    return [];
  } catch (e) {
    if (!(e instanceof XmlLibError)) throw e;
    const details = e.details?.length ? e.details : [{ message: e.message, line: 0 }];
    return details.map((d) => `line ${d.line}: ${d.message.trim()}`);
  } finally {
    doc.dispose();
  }
}
