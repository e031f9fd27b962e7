// The R4 XML Schema's judge (test/support/xsd-judge.js), as the test environment holds it: one
// compiled schema per Jest process, shared by its test files.
import { shared } from './shared.js';

/** What the R4 XML Schema finds wrong in one XML document (none when it is valid). */
export function xsdErrors(xml: string): string[] {
  return shared().xsdErrors(xml);
}
