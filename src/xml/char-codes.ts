// The character codes the XML readers compare with (scan.ts, plain-read.ts, the SOAP Security
// block's span): one place, read by charCodeAt without making strings.
export const LT = 0x3c; // <
export const GT = 0x3e; // >
export const SLASH = 0x2f;
export const BANG = 0x21;
export const QUESTION = 0x3f;
export const EQ = 0x3d;
export const DQ = 0x22;
export const SQ = 0x27;
export const COLON = 0x3a;

/** XML's white space (§2.3 S): space, tab, line feed, carriage return. */
export function isXmlSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
